// A loopback SMTP sink for the e2e specs: accepts every message and pushes its text (headers
// and body, CRLF turned into LF) onto `received`. Resolves with the listening server.
import { createServer } from "node:net";

export function startSink(received) {
  return new Promise((resolve) => {
    const srv = createServer((sock) => {
      let data = false;
      let buf = "";
      let msg = "";
      sock.write("220 sink ESMTP\r\n");
      sock.on("data", (chunk) => {
        buf += chunk.toString("utf8");
        let i;
        while ((i = buf.indexOf("\r\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (data) {
            if (line === ".") {
              data = false;
              received.push(msg);
              msg = "";
              sock.write("250 queued\r\n");
            } else msg += `${line}\n`;
            continue;
          }
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === "EHLO" || cmd === "HELO") sock.write("250-sink\r\n250 8BITMIME\r\n");
          else if (cmd === "DATA") {
            data = true;
            sock.write("354 go ahead\r\n");
          } else if (cmd === "QUIT") {
            sock.write("221 bye\r\n");
            sock.end();
          } else sock.write("250 ok\r\n");
        }
      });
      sock.on("error", () => {});
    });
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}
