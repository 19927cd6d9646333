// Real traffic across a test's veth pair and a scrape of the metrics exporter, for the deploy tests: datagrams
// from side A to a port of side B, a TCP connection with an echo, and /metrics as name{labels} → value.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { ADDR_A, ADDR_B, lineReader, TRAFFIC_SCRIPT, type NetnsPair } from './netns.ts';

/** `count` datagrams from A to B's `port`, paced at `rate` per second; how many B's socket received. */
export async function udpReceived(pair: NetnsPair, port: number, count: number, rate: number): Promise<number> {
  const recv = pair.spawn(pair.b, process.execPath, [TRAFFIC_SCRIPT, 'recv', ADDR_B, String(port), String(count), '300', '5000']);
  const lines = lineReader(recv);
  expect(await lines.next(5000)).toBe('ready');
  const sent = JSON.parse(pair.exec(pair.a, process.execPath, [TRAFFIC_SCRIPT, 'send', ADDR_A, '47000', ADDR_B, String(port), String(count), String(rate)])) as { sent: number };
  expect(sent.sent).toBe(count);
  return (JSON.parse(await lines.next(8000)) as { received: number }).received;
}

/** A TCP connection from A to B's `port` with an echo: `echoed`, or `timeout` when the SYN is dropped. */
export async function tcpEcho(pair: NetnsPair, port: number): Promise<string> {
  const serverScript = `const s=require('net').createServer(c=>c.pipe(c)).listen(${port},'${ADDR_B}',()=>console.log('ready'));setTimeout(()=>process.exit(0),5000)`;
  const srv = pair.spawn(pair.b, process.execPath, ['-e', serverScript]);
  expect(await lineReader(srv).next(5000)).toBe('ready');
  const client = `const c=require('net').connect(${port},'${ADDR_B}',()=>c.write('hi'));c.on('data',d=>{console.log(String(d)==='hi'?'echoed':'wrong');process.exit(0)});c.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1000)`;
  const out = pair.exec(pair.a, process.execPath, ['-e', client]).trim();
  srv.kill();
  return out;
}

/** GET /metrics of `server`: its content type and every sample as `name{labels}` → value. */
export async function scrapeMetrics(server: Server): Promise<{ contentType: string | null; values: Map<string, number> }> {
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return { contentType: res.headers.get('content-type'), values };
}
