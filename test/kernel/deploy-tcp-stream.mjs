// A long-lived TCP connection for the redeploy test, run inside a test's network namespace
// (`ip netns exec NS node deploy-tcp-stream.mjs …`). Plain JavaScript so `node` runs it without a loader.
//
//   node deploy-tcp-stream.mjs server ADDR PORT [PORT…]
//     prints "ready" once listening. A connection whose first bytes are "stream" gets 1 KiB chunks (a u32
//     sequence number first) every 5 ms, and what it sends is counted; one whose first bytes are "idle" stays
//     quiet until "poke" on stdin writes "poke" to it; any other connection is echoed.
//     "report" on stdin prints {"received":N,"streams":N,"idle":N}
//   node deploy-tcp-stream.mjs client ADDR PORT
//     opens a stream connection (sends "stream", then 16 bytes every 20 ms, and checks the chunks arrive in
//     sequence) and an idle one (sends "idle", then nothing: the server speaks first).
//     Prints "connected"; "report" on stdin prints {"bytes","chunks","inOrder","sent","pokes","error","closed"}
import net from 'node:net';
import readline from 'node:readline';

const [mode, addr, ...ports] = process.argv.slice(2);
const CHUNK = 1024;
const onReport = (report) => readline.createInterface({ input: process.stdin }).on('line', (l) => l.trim() === 'report' && console.log(JSON.stringify(report())));

if (mode === 'server') {
  let received = 0;
  let streams = 0;
  const idle = new Set();
  const handle = (c) => {
    c.on('error', () => {});
    c.once('data', (first) => {
      if (String(first) === 'idle') {
        idle.add(c);
        c.on('close', () => idle.delete(c));
        return;
      }
      if (!String(first).startsWith('stream')) {
        c.write(first);
        c.pipe(c);
        return;
      }
      streams++;
      received += first.length - 'stream'.length;
      c.on('data', (d) => (received += d.length));
      let seq = 0;
      const timer = setInterval(() => {
        const b = Buffer.alloc(CHUNK, 0x5a);
        b.writeUInt32BE(seq++, 0);
        c.write(b);
      }, 5);
      c.on('close', () => clearInterval(timer));
    });
  };
  let listening = 0;
  for (const port of ports) {
    net.createServer(handle).listen(Number(port), addr, () => {
      if (++listening === ports.length) console.log('ready');
    });
  }
  readline.createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() === 'poke') for (const c of idle) c.write('poke');
  });
  onReport(() => ({ received, streams, idle: idle.size }));
} else if (mode === 'client') {
  let bytes = 0;
  let chunks = 0;
  let inOrder = true;
  let sent = 0;
  let error = null;
  let closed = false;
  let pending = Buffer.alloc(0);
  let pokes = 0;
  let connected = 0;
  const up = () => ++connected === 2 && console.log('connected');
  const quiet = net.connect(Number(ports[0]), addr, () => (quiet.write('idle'), up()));
  quiet.on('data', (d) => (pokes += d.length / 4));
  quiet.on('error', (e) => (error = e.code ?? String(e)));
  quiet.on('close', () => (closed = true));
  const c = net.connect(Number(ports[0]), addr, () => {
    c.write('stream');
    up();
    setInterval(() => {
      if (closed) return;
      c.write(Buffer.alloc(16, 0x61));
      sent += 16;
    }, 20);
  });
  c.on('data', (d) => {
    bytes += d.length;
    pending = Buffer.concat([pending, d]);
    while (pending.length >= CHUNK) {
      if (pending.readUInt32BE(0) !== chunks) inOrder = false;
      chunks++;
      pending = pending.subarray(CHUNK);
    }
  });
  c.on('error', (e) => (error = e.code ?? String(e)));
  c.on('close', () => (closed = true));
  onReport(() => ({ bytes, chunks, inOrder, sent, pokes, error, closed }));
} else {
  console.error(`usage: deploy-tcp-stream.mjs server ADDR PORT… | client ADDR PORT`);
  process.exit(2);
}
