import { startDemoVendor } from './vendor';

/**
 * `npm run vendor:demo`: the demo vendor for the README's walkthrough, on 127.0.0.1:9099 with the secret the
 * walkthrough's service template uses. DEMO_VENDOR_PORT, DEMO_VENDOR_HOST and DEMO_VENDOR_SECRET change them.
 */
const port = Number(process.env.DEMO_VENDOR_PORT || 9099);
const host = process.env.DEMO_VENDOR_HOST || '127.0.0.1';
const secret = process.env.DEMO_VENDOR_SECRET || 'shared-hmac-secret';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`DEMO_VENDOR_PORT: must be a port number, not "${process.env.DEMO_VENDOR_PORT}"`);
  process.exit(78);
}

try {
  const vendor = await startDemoVendor({ port, host, secret, log: (line) => console.log(`${new Date().toISOString()} ${line}`) });
  console.log(`
  Demo vendor (http-vendor protocol, resources in memory) at ${vendor.url}
    Service template settings  { "baseUrl": "${vendor.url}", "secret": "${secret}" }
    Ctrl-C stops it and forgets its resources.
`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void vendor.close().then(() => process.exit(0)));
  }
} catch (err) {
  if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
  console.error(`vendor:demo: port ${port} (DEMO_VENDOR_PORT) is in use; set DEMO_VENDOR_PORT to another port`);
  process.exit(1);
}
