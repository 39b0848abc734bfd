#!/usr/bin/env node
import { nodeDebugRefusal } from './node-debug.js';
import { mark } from './phases.js';
import { run } from './program.js';

mark('started');
const refusal = nodeDebugRefusal(process.env.NODE_DEBUG);
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await run(process.argv);
}
