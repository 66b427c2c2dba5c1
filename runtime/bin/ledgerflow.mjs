#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: no build step between a change and `npx ledgerflow`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2));
