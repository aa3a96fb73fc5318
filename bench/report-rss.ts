// Preloaded into benchmarked processes: prints their peak resident memory when they exit.
process.on('exit', () => {
  process.stderr.write(`FLOWMINE_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
