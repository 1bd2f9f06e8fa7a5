#!/usr/bin/env node
// The `nouvelle-vie` command. The application is TypeScript run as is (no build step): tsx is
// registered as a loader for this process, then the CLI written in TypeScript takes over.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
