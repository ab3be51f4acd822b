#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';
import { EXIT_CLOSED_OUTPUT, closedOutput, installProcessGuards } from '../dist/src/cli/process-guards.js';

installProcessGuards();
const code = await main(process.argv);
process.exitCode = closedOutput() ? EXIT_CLOSED_OUTPUT : code;
