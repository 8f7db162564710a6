// A stock tus server for the upload tests: @tus/server with @tus/file-store, nothing of ours.
//
//   node server.mjs --dir DIR [--port-file FILE] [--max-body BYTES]
//
// Listens on 127.0.0.1 on a port the kernel picks, serves tus 1.0 at /files/ (no auth:
// the client's bearer token is simply ignored) and stores every upload as DIR/ID, its
// metadata as DIR/ID.json. Prints "PORT" on stdout and writes it to FILE once listening.
// With --max-body, a PATCH whose body is larger is refused with 413 (after reading it),
// as a reverse proxy with a body size limit in front of the server would.
import http from 'node:http';
import fs from 'node:fs';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const dir = arg('--dir');
const portFile = arg('--port-file');
const maxBody = arg('--max-body') ? Number(arg('--max-body')) : 0;
if (!dir) {
  console.error('usage: node server.mjs --dir DIR [--port-file FILE]');
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

const tus = new Server({ path: '/files', datastore: new FileStore({ directory: dir }) });
const server = http.createServer((req, res) => {
  if (maxBody > 0 && req.method === 'PATCH' && Number(req.headers['content-length'] || 0) > maxBody) {
    req.resume();
    req.on('end', () => {
      res.writeHead(413, { 'Content-Type': 'text/plain' });
      res.end('Request Entity Too Large\n');
    });
    return;
  }
  tus.handle(req, res);
});

server.listen(0, '127.0.0.1', () => {
  const port = String(server.address().port);
  if (portFile) {
    fs.writeFileSync(portFile + '.tmp', port + '\n');
    fs.renameSync(portFile + '.tmp', portFile);
  }
  process.stdout.write(port + '\n');
});

for (const signal of ['SIGTERM', 'SIGINT'])
  process.on(signal, () => server.close(() => process.exit(0)));
