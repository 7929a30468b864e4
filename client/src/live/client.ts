/** The page's one live manager, made on first use (importing this module connects nothing). */
import { LiveManager } from './manager';
import { socketTransport } from './transport';

let manager: LiveManager | null = null;

export function liveManager(): LiveManager {
  manager ??= new LiveManager({ transport: socketTransport() });
  return manager;
}
