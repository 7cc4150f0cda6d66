/**
 * The keychain helper's process (bundled to app/dist/keychain-helper.cjs; started by
 * keychain-helper.ts, which says why it exists): keytar's four calls as `loadKeytar` gives them (its
 * listing over D-Bus directly), served by helper-main.ts.
 */
import { serveHelper } from '../helper-main';
import type { KeychainOp } from './keychain-helper';
import { loadKeytar } from './keytar-secret-store';

serveHelper(async () => {
  const keytar = await loadKeytar();
  return async (op, args) => {
    const [a = '', b = '', c = ''] = args as readonly string[];
    switch (op as KeychainOp) {
      case 'getPassword':
        return keytar.getPassword(a, b);
      case 'setPassword':
        return keytar.setPassword(a, b, c);
      case 'deletePassword':
        return keytar.deletePassword(a, b);
      case 'findCredentials':
        return keytar.findCredentials(a);
      default:
        throw new Error(`unknown keychain call ${op}`);
    }
  };
});
