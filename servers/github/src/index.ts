#!/usr/bin/env node
import { runServer } from '@portico-mcp/shared/serve';
import { githubServer } from './server.js';

// Not awaited: the bundle is a CommonJS script (scripts/bundle.mjs), where top-level await does not exist.
void runServer(githubServer);
