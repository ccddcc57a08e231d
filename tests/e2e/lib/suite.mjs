// What every browser test file does around its tests: start `motcua demo`
// and Debian's chromium before them, stop both after.

import { after, before } from 'node:test';
import { startDemo } from './server.mjs';
import { launch } from './browser.mjs';

/**
 * Registers the file's before/after hooks; the returned object holds the
 * demo server (`server.url`) and the browser once they have started.
 */
export function demoSuite() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    env.server = await startDemo();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
