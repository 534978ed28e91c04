/**
 * `depthwatch keys create|list|revoke`: API keys in the key file (api/security/keys.ts). `create` prints
 * the new key once (only its hash is stored); `list` shows ids, names, scopes and dates, never secrets;
 * `revoke` marks a key revoked (a running server reads the file at start: restart it).
 */
import type { Command } from 'commander';
import { loadConfig, ConfigError } from '../config/load.ts';
import {
  DEFAULT_KEYS_FILE,
  KeyError,
  SCOPES,
  generateKey,
  readKeyFile,
  writeKeyFile,
  type Scope,
} from '../api/security/keys.ts';

function keysFile(flags: { file?: string; config?: string }): string {
  if (flags.file) return flags.file;
  try {
    return loadConfig(flags.config).api.auth.keysFile;
  } catch (e) {
    if (e instanceof ConfigError) return DEFAULT_KEYS_FILE;
    throw e;
  }
}

function fail(message: string): never {
  console.error(`depthwatch keys: ${message}`);
  process.exit(1);
}

/** Register `keys`. */
export function register(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys: create, list, revoke (hashes in the key file; README "Security")');
  const fileOpt = (c: Command): Command =>
    c
      .option('--file <path>', `key file (default: the config's api.auth.keysFile, ${DEFAULT_KEYS_FILE})`)
      .option('-c, --config <file>', 'YAML config file (for api.auth.keysFile)');

  fileOpt(keys.command('create'))
    .description('create a key and print it once')
    .option('--name <name>', 'what the key is for', '')
    .option('--scope <scopes>', `comma-separated: ${SCOPES.join(', ')} (admin implies read)`, 'read')
    .action((f: { file?: string; config?: string; name: string; scope: string }) => {
      const scopes = f.scope.split(',').map((s) => s.trim());
      for (const s of scopes)
        if (!(SCOPES as readonly string[]).includes(s)) fail(`unknown scope "${s}" (${SCOPES.join(', ')})`);
      const path = keysFile(f);
      try {
        const list = readKeyFile(path);
        const { key, record } = generateKey(f.name, scopes as Scope[]);
        writeKeyFile(path, [...list, record]);
        console.log(key);
        console.error(
          `created key ${record.id} (${record.scopes.join(',')}) in ${path}; it is shown only now: send it as "Authorization: Bearer <key>"`,
        );
      } catch (e) {
        if (e instanceof KeyError) fail(e.message);
        throw e;
      }
    });

  fileOpt(keys.command('list'))
    .description('list keys (ids, names, scopes, dates; never secrets)')
    .option('--json', 'JSON output')
    .action((f: { file?: string; config?: string; json?: boolean }) => {
      const path = keysFile(f);
      try {
        const list = readKeyFile(path).map((r) => ({
          id: r.id,
          name: r.name,
          scopes: r.scopes,
          createdAt: new Date(r.createdAt).toISOString(),
          revokedAt: r.revokedAt === undefined ? null : new Date(r.revokedAt).toISOString(),
        }));
        if (f.json) console.log(JSON.stringify(list, null, 2));
        else if (list.length === 0) console.log(`no keys in ${path}`);
        else
          for (const k of list)
            console.log(
              `${k.id}  ${k.scopes.join(',').padEnd(10)}  ${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}  created ${k.createdAt}  ${k.name}`,
            );
      } catch (e) {
        if (e instanceof KeyError) fail(e.message);
        throw e;
      }
    });

  fileOpt(keys.command('revoke'))
    .description('revoke a key by id (restart the server to apply)')
    .argument('<id>', 'key id (8 hex characters, from `keys list`)')
    .action((id: string, f: { file?: string; config?: string }) => {
      const path = keysFile(f);
      try {
        const list = readKeyFile(path);
        const k = list.find((r) => r.id === id);
        if (!k) fail(`no key ${id} in ${path} (see depthwatch keys list)`);
        if (k.revokedAt === undefined) k.revokedAt = Date.now();
        writeKeyFile(path, list);
        console.error(`revoked key ${id}; restart running servers to apply`);
      } catch (e) {
        if (e instanceof KeyError) fail(e.message);
        throw e;
      }
    });
}
