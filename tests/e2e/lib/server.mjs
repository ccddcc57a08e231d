// Starts the real `motcua` binary with the demo data, as an operator would:
// its own data directory in a fresh temporary folder and a free port on
// 127.0.0.1 chosen by the server (`--port 0`), whose address it prints first.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The binary: `MOTCUA_E2E_BIN` (the Rust test passes the one cargo built), else the debug build. */
export function motcuaBinary() {
  const bin = process.env.MOTCUA_E2E_BIN || resolve(here, '../../../target/debug/motcua');
  if (!existsSync(bin)) {
    throw new Error(`motcua binary not found at ${bin}: run \`cargo build\` first or set MOTCUA_E2E_BIN`);
  }
  return bin;
}

/**
 * A running demo server. `url` is its base address; `stop()` ends it with
 * SIGTERM and removes its data directory; `log()` is what it printed.
 */
export async function startDemo({ timeoutMs = 120_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-e2e-'));
  const env = {};
  // No configuration leaks in from the developer's shell or the CI run.
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MOTCUA_') && k !== 'RUST_LOG') env[k] = v;
  }
  env.MOTCUA_LOG = 'warn';
  const child = spawn(
    motcuaBinary(),
    ['demo', '--bind', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'data')],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => output.push(s));
  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));

  const url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`motcua did not start in ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output.push(`${line}\n`);
      const m = /^motcua listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rej(new Error(`motcua exited (code ${code}, signal ${signal}) before listening:\n${output.join('')}`));
    });
  });

  // Listening comes before the readiness check passes on a slow machine.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not accepting yet
    }
    if (Date.now() > deadline) throw new Error(`motcua at ${url} never became ready:\n${output.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    dir,
    log: () => output.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
