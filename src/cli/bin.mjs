#!/usr/bin/env node
// tsdump launcher: registers the TypeScript loader (tsx) and runs the CLI from source.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
