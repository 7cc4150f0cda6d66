/**
 * The engine's file suites again, with their file calls made directly (fs-calls.ts), as every
 * command but `watch` makes them; on their own they make them through the thread pool, as the tray
 * app and `watch` do. (The command's own tests, and the fault tests' writer child, run directly;
 * the fault tests' engine child through the pool.)
 */
import { callsForCommand } from '../../main/engine/files/fs-calls';

callsForCommand('refresh');

await import('./atomic-file.test');
await import('./credentials-file.test');
await import('./make-folders.test');
await import('./settings-store.test');
await import('./used-codes.test');
await import('./aws-config.test');
await import('./keychain-changes.test');
await import('../faults/disk.test');
await import('../faults/other-writer.test');
