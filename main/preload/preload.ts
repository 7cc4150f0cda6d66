/**
 * The windows' preload (bundled to app/dist/preload.cjs: a sandboxed preload is one CommonJS file).
 * It exposes the typed bridge and nothing else; see `preload-bridge.ts`.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './preload-bridge';

exposeBridge(contextBridge, ipcRenderer);
