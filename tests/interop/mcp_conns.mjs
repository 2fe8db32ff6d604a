// Raw TCP clients for the HTTP server's abuse tests; loopback only, and
// every mode ends by itself.
//   node mcp_conns.mjs idle PORT N HOLD_MS
//     open N connections that send nothing, hold them HOLD_MS, close them;
//     prints {"opened","closedByServer","errors","firstCloseMs"}
//   node mcp_conns.mjs slow PORT WHAT MAX_MS
//     send part of a request (WHAT: headers | body) and stall; prints
//     {"closedAfterMs"} once the server hangs up (null after MAX_MS)
import net from "node:net";

const [mode, port, arg, ms] = process.argv.slice(2);
const host = "127.0.0.1";
const sleep = (t) => new Promise((r) => setTimeout(r, t));

if (mode === "idle") {
  const n = Number(arg), hold = Number(ms);
  const t0 = Date.now();
  let opened = 0, closedByServer = 0, errors = 0, firstCloseMs = null;
  const socks = [];
  let closing = false;
  await Promise.all(Array.from({ length: n }, () => new Promise((res) => {
    const s = net.connect({ host, port: Number(port) });
    socks.push(s);
    s.on("connect", () => { opened++; res(); });
    s.on("error", () => { errors++; res(); });
    s.on("close", () => {
      if (!closing) {
        closedByServer++;
        if (firstCloseMs === null) firstCloseMs = Date.now() - t0;
      }
      res();
    });
    s.on("data", () => {});
  })));
  await sleep(hold);
  closing = true;
  for (const s of socks) s.destroy();
  console.log(JSON.stringify({ opened, closedByServer, errors, firstCloseMs }));
} else if (mode === "slow") {
  const max = Number(ms);
  const t0 = Date.now();
  const s = net.connect({ host, port: Number(port) });
  const closed = new Promise((res) => {
    s.on("close", () => res(Date.now() - t0));
    s.on("error", () => {});
  });
  s.on("data", () => {});
  s.on("connect", () => {
    if (arg === "headers")
      s.write(`POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Ty`);
    else
      s.write(`POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
              "Content-Type: application/json\r\n" +
              "Accept: application/json, text/event-stream\r\n" +
              "Content-Length: 1000\r\n\r\n{\"jsonrpc\":");
  });
  const r = await Promise.race([closed, sleep(max).then(() => null)]);
  s.destroy();
  console.log(JSON.stringify({ closedAfterMs: r }));
} else {
  console.error("usage: mcp_conns.mjs idle|slow ...");
  process.exit(2);
}
