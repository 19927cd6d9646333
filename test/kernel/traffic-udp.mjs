// A paced UDP sender and a counting receiver for the traffic tests, run inside a test's network namespace
// (`ip netns exec NS node traffic-udp.mjs …`). Plain JavaScript so `node` runs it without a loader.
//
//   node traffic-udp.mjs send SRC_ADDR SRC_PORT DST_ADDR DST_PORT COUNT RATE_PPS [SIZE]
//     prints {"sent":N,"errors":{"EPERM":n,…}} when done; each packet is sent after the previous one's
//     callback, and no faster than RATE_PPS
//   node traffic-udp.mjs recv ADDR PORT EXPECT IDLE_MS TIMEOUT_MS
//     prints "ready" once bound, then {"received":N} when EXPECT datagrams arrived, IDLE_MS passed without
//     one (after "go" was read on stdin, or the first datagram), or TIMEOUT_MS passed
import dgram from 'node:dgram';

const [mode, ...args] = process.argv.slice(2);

if (mode === 'send') {
  const [srcAddr, srcPort, dstAddr, dstPort, count, rate, size = '32'] = args;
  const total = Number(count);
  const pps = Number(rate);
  const payload = Buffer.alloc(Number(size), 0x5a);
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
  socket.on('error', () => {}); // errors are counted per send below
  await new Promise((resolve) => socket.bind(Number(srcPort), srcAddr, resolve));
  const errors = {};
  let sent = 0;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / pps;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const err = await new Promise((resolve) => socket.send(payload, Number(dstPort), dstAddr, resolve));
    if (err) errors[err.code] = (errors[err.code] ?? 0) + 1;
    else sent++;
  }
  socket.close();
  process.stdout.write(`${JSON.stringify({ sent, errors, ms: Math.round(performance.now() - start) })}\n`);
} else if (mode === 'recv') {
  const [addr, port, expect, idleMs, timeoutMs] = args;
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  let received = 0;
  let idle;
  const finish = () => {
    process.stdout.write(`${JSON.stringify({ received })}\n`);
    process.exit(0);
  };
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(finish, Number(idleMs));
  };
  socket.on('message', () => {
    received++;
    if (received >= Number(expect)) finish();
    arm();
  });
  setTimeout(finish, Number(timeoutMs));
  process.stdin.on('data', (d) => {
    if (String(d).includes('go')) arm();
  });
  socket.bind(Number(port), addr, () => process.stdout.write('ready\n'));
} else {
  process.stderr.write('usage: traffic-udp.mjs send|recv …\n');
  process.exit(2);
}
