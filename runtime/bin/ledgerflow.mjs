#!/usr/bin/env node
// Runs the CLI from its bundle (dist/runtime/cli.mjs), rebuilt first whenever a source under runtime/ or nodes/ changed.
import { loadCli } from './runtime-bundle.mjs';

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
