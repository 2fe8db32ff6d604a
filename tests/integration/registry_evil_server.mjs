// registry_evil_server.mjs - a small adversarial HTTP server for the
// registry tests: it serves a folder like a static web server (single byte
// ranges, ETag), and misbehaves on request for chosen files and mirrors.
//
//   node registry_evil_server.mjs --dir DIR [--alt DIR2] [--max-seconds N]
//
// Prints the port it listens on (127.0.0.1, a free port) on stdout, then
// serves until killed, or until --max-seconds (default 600) pass, so a
// test that dies cannot leave it running.
//
// URLs: /m/MIRROR/PATH serves DIR/PATH as mirror MIRROR (any name), and
// /PATH as mirror "default"; two mirror names give a test two "servers".
// Control (not part of any registry):
//   GET /__mode?mirror=M&path=P&mode=X   misbehave for P on M ("*" = all)
//   GET /__reset                          everything normal again
//   GET /__log                            the requests so far, as JSON
// Modes:
//   normal    serve the file (Range: bytes=A-B honoured, 206)
//   404       answer 404
//   503once   answer 503 once, then normal
//   endless   the file, then zeros forever (no Content-Length)
//   alter     the file with one byte changed in the middle
//   trickle   one byte every 300 ms, forever
//   drip      the file at 150 bytes/s (15 every 100 ms): just above a
//             100 B/s minimum rate, so only a total deadline stops it
//   drop      half the file, then close the connection (once; then normal)
//   norange   ignore Range and send the whole file (200)
//   alt       serve DIR2/PATH instead (e.g. a stale copy on one mirror)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dir = opt('--dir');
const altDir = opt('--alt');
const maxSeconds = Number(opt('--max-seconds', '600'));
if (!dir) {
  process.stderr.write('usage: registry_evil_server.mjs --dir DIR\n');
  process.exit(2);
}

const modes = new Map(); // "mirror:path" -> mode
const log = [];
const modeFor = (mirror, p) =>
  modes.get(`${mirror}:${p}`) ?? modes.get(`*:${p}`) ?? 'normal';

function sendFile(req, res, data, { allowRange = true } = {}) {
  const etag = `"${data.length.toString(16)}"`;
  const range = allowRange ? req.headers.range : undefined;
  const m = range && /^bytes=(\d+)-(\d*)$/.exec(range);
  if (m) {
    const from = Number(m[1]);
    const to = m[2] ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
    if (from >= data.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${data.length}` });
      return res.end();
    }
    res.writeHead(206, {
      'Content-Length': to - from + 1,
      'Content-Range': `bytes ${from}-${to}/${data.length}`,
      'Accept-Ranges': 'bytes',
      ETag: etag,
    });
    return res.end(data.subarray(from, to + 1));
  }
  res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes', ETag: etag });
  return res.end(data);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/__mode') {
    const q = url.searchParams;
    modes.set(`${q.get('mirror') ?? '*'}:${q.get('path')}`, q.get('mode') ?? 'normal');
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    return res.end('ok\n');
  }
  if (url.pathname === '/__reset') {
    modes.clear();
    res.writeHead(200);
    return res.end('ok\n');
  }
  if (url.pathname === '/__log') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(log));
  }
  let mirror = 'default';
  let rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const mm = /^m\/([^/]+)\/(.*)$/.exec(rel);
  if (mm) {
    mirror = mm[1];
    rel = mm[2];
  }
  const mode = modeFor(mirror, rel);
  log.push({ mirror, path: rel, mode, range: req.headers.range ?? null });
  const base = mode === 'alt' && altDir ? altDir : dir;
  const file = path.join(base, rel);
  if (rel.split('/').includes('..') || !path.resolve(file).startsWith(path.resolve(base))) {
    res.writeHead(404);
    return res.end();
  }
  let data;
  try {
    data = fs.readFileSync(file);
  } catch {
    res.writeHead(404);
    return res.end('not found\n');
  }
  switch (mode) {
    case '404':
      res.writeHead(404);
      return res.end('not found\n');
    case '503once':
      modes.set(`${mirror}:${rel}`, 'normal');
      res.writeHead(503, { 'Retry-After': '0' });
      return res.end('busy\n');
    case 'endless': {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(data);
      const zeros = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(zeros));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.destroy());
      return pump();
    }
    case 'alter': {
      const bad = Buffer.from(data);
      bad[bad.length >> 1] ^= 0x5a;
      return sendFile(req, res, bad);
    }
    case 'trickle': {
      res.writeHead(200, { 'Content-Length': data.length });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed || i >= data.length) return clearInterval(t);
        res.write(data.subarray(i, i + 1));
        i++;
      }, 300);
      res.on('close', () => clearInterval(t));
      return;
    }
    case 'drip': {
      res.writeHead(200, { 'Content-Length': data.length });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed || i >= data.length) return clearInterval(t);
        res.write(data.subarray(i, i + 15));
        i += 15;
        if (i >= data.length) res.end();
      }, 100);
      res.on('close', () => clearInterval(t));
      return;
    }
    case 'drop': {
      modes.set(`${mirror}:${rel}`, 'normal');
      res.writeHead(200, { 'Content-Length': data.length, 'Accept-Ranges': 'bytes' });
      res.write(data.subarray(0, data.length >> 1), () => {
        setTimeout(() => res.socket?.destroy(), 50);
      });
      return;
    }
    case 'norange':
      return sendFile(req, res, data, { allowRange: false });
    default:
      return sendFile(req, res, data);
  }
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
setTimeout(() => process.exit(0), maxSeconds * 1000).unref();
process.on('SIGTERM', () => process.exit(0));
