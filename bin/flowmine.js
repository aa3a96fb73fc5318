#!/usr/bin/env node
import { main } from '../dist/src/cli/flowmine.js';

// Exits as soon as the command is done: every output has been written synchronously by then, and a
// natural exit would first wait for the tasks queued on V8's background threads (10–30 ms here).
process.exit(await main(process.argv));
