// A worker thread starts without the TypeScript loader its process registered (bin/ocpp-report.mjs,
// vitest): register tsx here too, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./payload-check-worker.ts');
