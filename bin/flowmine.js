#!/usr/bin/env node
import { main } from '../dist/src/cli/flowmine.js';

process.exitCode = await main(process.argv);
