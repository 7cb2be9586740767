#!/usr/bin/env node
// Entry point of the `quanguard` command. The sources are TypeScript run through tsx's loader,
// so `npx quanguard …` works from a fresh clone without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
