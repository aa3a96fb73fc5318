/**
 * `npm run bench`: every throughput target measured end to end, whole process to whole process, next to
 * the peer doing the same job in the same run. Results go to BENCHMARKS.md. Not a test: no assertion on time.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatenatedLobster } from './inputs.js';
import { median, runNode, type Run } from './measure.js';

const root = join(import.meta.dirname, '..', '..');
const dataDir = process.env.FLOWMINE_DATA ?? join(root, '..', 'shared', 'data');
const work = join(tmpdir(), 'flowmine-bench');
const cli = join(root, 'bin', 'flowmine.js');
const peer = join(import.meta.dirname, 'peers', 'tardis-lobster.js');
const repeats = Number(process.env.BENCH_REPEATS ?? 3);

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const rate = (n: number, run: Run) => Math.round(n / run.seconds);
const fmt = (n: number) => n.toLocaleString('en-US');

async function lobsterReplay() {
  const input = concatenatedLobster(dataDir, work, 18);
  const messages = readFileSync(input, 'latin1').split('\n').length - 1;
  const ours = join(work, 'replay-flowmine.csv');
  const theirs = join(work, 'replay-tardis.csv');
  const reportPath = join(work, 'replay-report.json');
  const flowmine = await median(repeats, () => runNode(cli, ['replay', input, '--emit', 'bbo', '--out', ours, '--report', reportPath]));
  const tardis = await median(repeats, () => runNode(peer, [input, input.replace('_message_', '_orderbook_'), theirs]));
  const identical = sha(ours) === sha(theirs);
  const openOrders = JSON.parse(readFileSync(reportPath, 'utf8')).replay.openOrders as number;
  return { messages, flowmine, tardis, identical, openOrders };
}

async function streamingMemory() {
  const runs = [];
  for (const copies of [18, 180]) {
    const input = concatenatedLobster(dataDir, work, copies);
    const messages = 57_515 * copies;
    const reportPath = join(work, `scale-${copies}.json`);
    const run = await runNode(cli, ['replay', input, '--emit', 'bbo', '--out', '-', '--report', reportPath], { stdoutTo: 'ignore' });
    const openOrders = JSON.parse(readFileSync(reportPath, 'utf8')).replay.openOrders as number;
    runs.push({ copies, messages, run, openOrders });
    if (copies > 18) rmSync(join(work, `amzn-x${copies}`), { recursive: true, force: true });
  }
  return runs;
}

const replay = await lobsterReplay();
const scale = await streamingMemory();
const ratio = replay.tardis.seconds / replay.flowmine.seconds;
const lines = [
  '# Benchmarks',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim()}.`,
  `Whole process to whole process (start-up, reading, writing included), median of ${repeats} runs, peer in the same run.`,
  '',
  '## LOBSTER L3 replay to best bid/offer',
  '',
  `Input: the AMZN 2012-06-21 level-1 message file concatenated ${18}× (ids and times shifted per copy) = ${fmt(replay.messages)} messages, with its orderbook file.`,
  'Job: rebuild the book after every message (resolving levels that enter the level-1 window from the orderbook file) and write `ts_ns,seq,bid_px,bid_sz,ask_px,ask_sz` as CSV.',
  '',
  '| implementation | seconds | messages/s | peak RSS MB |',
  '|---|---:|---:|---:|',
  `| flowmine \`replay --emit bbo\` | ${replay.flowmine.seconds.toFixed(3)} | ${fmt(rate(replay.messages, replay.flowmine))} | ${replay.flowmine.maxRssMb.toFixed(0)} |`,
  `| tardis-dev OrderBook (peer, bench/peers/tardis-lobster.ts) | ${replay.tardis.seconds.toFixed(3)} | ${fmt(rate(replay.messages, replay.tardis))} | ${replay.tardis.maxRssMb.toFixed(0)} |`,
  '',
  `flowmine / peer speed ratio: **${ratio.toFixed(2)}×**. Outputs byte-identical: **${replay.identical ? 'yes' : 'NO'}**.`,
  `Target (issue: core): at least 2.5 M messages/s end to end — ${rate(replay.messages, replay.flowmine) >= 2_500_000 ? 'met' : 'not met yet'}.`,
  '',
  '## Streaming: memory follows the book, not the input',
  '',
  '| input | messages | seconds | messages/s | open orders at end | peak RSS MB |',
  '|---|---:|---:|---:|---:|---:|',
  ...scale.map((s) => `| AMZN ×${s.copies} | ${fmt(s.messages)} | ${s.run.seconds.toFixed(2)} | ${fmt(rate(s.messages, s.run))} | ${fmt(s.openOrders)} | ${s.run.maxRssMb.toFixed(0)} |`),
  '',
  `Input grows ${scale[1]!.copies / scale[0]!.copies}×; peak RSS grows ${(scale[1]!.run.maxRssMb / scale[0]!.run.maxRssMb).toFixed(2)}×; ` +
    `the book (open orders at the end) grows ${(scale[1]!.openOrders / Math.max(1, scale[0]!.openOrders)).toFixed(2)}×. Input is streamed in 1 MiB chunks; only the book is kept.`,
  '',
];
writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
