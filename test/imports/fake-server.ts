import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTree } from './helpers.js';

/**
 * A local stand-in for Zenodo, GitHub (API and codeload) and plain file
 * hosts, answering with the real services' JSON shapes, redirects and content
 * types, and able to misbehave on demand: drop a connection mid-body, fail
 * with 5xx, serve 404s or tampered bytes, move a branch. Every request is
 * logged so tests can count them.
 */

export interface Logged {
  readonly server: 'main' | 'codeload';
  readonly method: string;
  readonly path: string;
  /** The query, without its `?` ('' for none). */
  readonly query: string;
  readonly headers: http.IncomingHttpHeaders;
}

interface Served {
  bytes: Buffer;
  contentType: string;
  disposition?: string;
  /** Send no Content-Length (chunked), as codeload does. */
  chunked?: boolean;
  /** Send the request's query as the ETag (a server that makes it from the URL, a token and all). */
  queryEtag?: boolean;
}

type Files = Record<string, string | Buffer>;

interface Repo {
  refs: Map<string, string>;
  commits: Map<string, Files>;
}

export class FakeServer {
  readonly requests: Logged[] = [];
  /** Whether downloads honour Range (off: the client must restart). */
  ranges = true;
  private readonly main: http.Server;
  private readonly codeload: http.Server;
  private readonly served = new Map<string, Served>();
  private readonly tampered = new Map<string, Buffer>();
  private readonly drops = new Map<string, number>();
  private readonly failures = new Map<string, number[]>();
  private readonly gone = new Set<string>();
  private readonly directories = new Map<string, string>();
  private readonly stalls = new Set<string>();
  private readonly mutes = new Set<string>();
  private readonly endless = new Set<string>();
  private readonly redirects = new Map<string, string>();
  private readonly records = new Map<string, unknown>();
  private readonly concepts = new Map<string, string>();
  private readonly repos = new Map<string, Repo>();
  private readonly scratch = mkdtempSync(join(tmpdir(), 'shark-fake-'));
  private commitCounter = 0;

  private constructor() {
    this.main = http.createServer((req, res) => this.handle('main', req, res));
    this.codeload = http.createServer((req, res) => this.handle('codeload', req, res));
  }

  static async start(): Promise<FakeServer> {
    const s = new FakeServer();
    await Promise.all([s.main, s.codeload].map((srv) => new Promise<void>((done) => srv.listen(0, '127.0.0.1', done))));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.main.address() as AddressInfo).port}`;
  }

  get zenodoUrl(): string {
    return `${this.url}/zenodo`;
  }

  get githubApiUrl(): string {
    return `${this.url}/github-api`;
  }

  private get codeloadUrl(): string {
    return `http://127.0.0.1:${(this.codeload.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const srv of [this.main, this.codeload]) {
      srv.closeAllConnections();
      await new Promise<void>((done) => srv.close(() => done()));
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** Requests so far, optionally only those whose path starts with `prefix`. */
  count(prefix = ''): number {
    return this.requests.filter((r) => r.path.startsWith(prefix)).length;
  }

  reset(): void {
    this.requests.length = 0;
  }

  // ---- plain files ----

  /** Serves bytes at a path of the main server; returns the full URL. */
  file(path: string, body: string | Buffer, contentType = 'application/octet-stream'): string {
    this.served.set(path, { bytes: Buffer.from(body), contentType });
    return this.url + path;
  }

  /** Serves bytes whose ETag is the request's query, a token in it and all. */
  fileEchoingQuery(path: string, body: string): string {
    this.served.set(path, { bytes: Buffer.from(body), contentType: 'text/plain', queryEtag: true });
    return this.url + path;
  }

  /** Serves the files under `dir` at `prefix` (a bare git repository, for git's dumb HTTP protocol). */
  directory(prefix: string, dir: string): string {
    this.directories.set(prefix, dir);
    return this.url + prefix;
  }

  // ---- faults ----

  /** The next GET of `path` sends the headers and `after` bytes, then drops the connection. */
  dropOnce(path: string, after: number): void {
    this.drops.set(path, after);
  }

  /** The next GETs of `path` answer with these statuses, one each. */
  failNext(path: string, ...statuses: number[]): void {
    this.failures.set(path, statuses);
  }

  /** From now on, `path` serves other bytes than the metadata says. */
  tamper(path: string, bytes: string | Buffer): void {
    this.tampered.set(path, Buffer.from(bytes));
  }

  /** The next GET of `path` sends the headers and a few bytes, then nothing more (the client must time out). */
  stallOnce(path: string): void {
    this.stalls.add(path);
  }

  /** From now on, `path` sends its bytes and then more, forever (no Content-Length), until the client hangs up. */
  neverEnding(path: string): void {
    this.endless.add(path);
  }

  /** The next GET of `path` is never answered, not even with headers. */
  muteOnce(path: string): void {
    this.mutes.add(path);
  }

  /** `from` answers 302 to `to` (a path on this server or a full URL). */
  redirect(from: string, to: string): string {
    this.redirects.set(from, to);
    return this.url + from;
  }

  /** From now on, `path` is a 404. */
  remove(path: string): void {
    this.gone.add(path);
  }

  // ---- Zenodo ----

  /** Publishes a record; returns the content path of each file (for faults). */
  record(id: string, files: Files, o: { concept?: string } = {}): Record<string, string> {
    const paths: Record<string, string> = {};
    const entries = Object.entries(files).map(([key, body]) => {
      const bytes = Buffer.from(body);
      const path = `/zenodo/api/records/${id}/files/${encodeURIComponent(key)}/content`;
      paths[key] = path;
      this.served.set(path, { bytes, contentType: 'application/octet-stream', disposition: `attachment; filename=${encodeURIComponent(key)}` });
      return {
        id: randomUUID(),
        key,
        size: bytes.length,
        checksum: `md5:${createHash('md5').update(bytes).digest('hex')}`,
        links: { self: this.url + path },
      };
    });
    this.records.set(id, {
      created: '2024-01-01T00:00:00+00:00',
      modified: '2024-01-01T00:00:00+00:00',
      id: Number(id),
      conceptrecid: o.concept ?? String(Number(id) - 1),
      doi: `10.5281/zenodo.${id}`,
      conceptdoi: `10.5281/zenodo.${o.concept ?? Number(id) - 1}`,
      doi_url: `https://doi.org/10.5281/zenodo.${id}`,
      metadata: { title: `Record ${id}`, publication_date: '2024-01-01', resource_type: { type: 'dataset' } },
      title: `Record ${id}`,
      links: { self: `${this.zenodoUrl}/api/records/${id}`, files: `${this.zenodoUrl}/api/records/${id}/files` },
      files: entries,
      status: 'published',
      state: 'done',
      submitted: true,
    });
    if (o.concept !== undefined) this.concepts.set(o.concept, id);
    return paths;
  }

  // ---- GitHub ----

  /** Creates a repository with one commit on `branch` (and HEAD). Returns the commit SHA. */
  repo(owner: string, name: string, branch: string, files: Files): string {
    const repo: Repo = { refs: new Map(), commits: new Map() };
    this.repos.set(`${owner}/${name}`, repo);
    return this.push(owner, name, branch, files);
  }

  /** A new commit on `branch` (moving it). Returns the new SHA. */
  push(owner: string, name: string, branch: string, files: Files): string {
    const repo = this.repos.get(`${owner}/${name}`)!;
    const sha = createHash('sha1').update(`${owner}/${name}\0${++this.commitCounter}\0${JSON.stringify(files)}`).digest('hex');
    repo.commits.set(sha, files);
    const old = repo.refs.get(branch);
    if (!repo.refs.has('HEAD') || repo.refs.get('HEAD') === old) repo.refs.set('HEAD', sha);
    repo.refs.set(branch, sha);
    return sha;
  }

  tag(owner: string, name: string, tag: string, sha: string): void {
    this.repos.get(`${owner}/${name}`)!.refs.set(tag, sha);
  }

  private tarball(owner: string, name: string, sha: string): Buffer {
    const files = this.repos.get(`${owner}/${name}`)!.commits.get(sha)!;
    const work = mkdtempSync(join(this.scratch, 'tar-'));
    const top = `${owner}-${name}-${sha.slice(0, 7)}`;
    writeTree(join(work, top), files);
    execFileSync('tar', ['-czf', join(work, 'out.tar.gz'), '-C', work, top]);
    const bytes = readFileSync(join(work, 'out.tar.gz'));
    rmSync(work, { recursive: true, force: true });
    return bytes;
  }

  // ---- the server ----

  private handle(server: 'main' | 'codeload', req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    this.requests.push({ server, method: req.method ?? 'GET', path, query: (req.url ?? '').split('?').slice(1).join('?'), headers: req.headers });
    const json = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };

    const planned = this.failures.get(path);
    if (planned !== undefined && planned.length > 0) {
      const status = planned.shift()!;
      json(status, { status, message: 'injected failure' });
      return;
    }
    const to = this.redirects.get(path);
    if (to !== undefined) {
      res.writeHead(302, { location: to, 'content-type': 'text/html' }).end(`<a href="${to}">moved</a>`);
      return;
    }
    if (this.gone.has(path)) {
      json(404, { status: 404, message: 'Not found.' });
      return;
    }

    if (server === 'codeload') {
      const m = /^\/([^/]+)\/([^/]+)\/legacy\.tar\.gz\/([0-9a-f]{40})$/.exec(path);
      const repo = m === null ? undefined : this.repos.get(`${m[1]}/${m[2]}`);
      if (m === null || repo === undefined || !repo.commits.has(m[3]!)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404: Not Found');
        return;
      }
      this.send(req, res, path, {
        bytes: this.tarball(m[1]!, m[2]!, m[3]!),
        contentType: 'application/x-gzip',
        disposition: `attachment; filename=${m[1]}-${m[2]}-${m[3]!.slice(0, 7)}.tar.gz`,
        chunked: true,
      });
      return;
    }

    let m: RegExpExecArray | null;
    if ((m = /^\/zenodo\/api\/records\/([^/]+)$/.exec(path)) !== null) {
      const concept = this.concepts.get(m[1]!);
      if (concept !== undefined) {
        res.writeHead(302, { location: `${this.zenodoUrl}/api/records/${concept}` }).end();
        return;
      }
      const rec = this.records.get(m[1]!);
      if (rec === undefined) json(404, { status: 404, message: 'The persistent identifier does not exist.' });
      else json(200, rec);
      return;
    }
    if ((m = /^\/github-api\/repos\/([^/]+)\/([^/]+)\/commits\/(.+)$/.exec(path)) !== null) {
      const repo = this.repos.get(`${m[1]}/${m[2]}`);
      if (repo === undefined) {
        json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit', status: '404' });
        return;
      }
      const ref = decodeURIComponent(m[3]!);
      const sha = repo.refs.get(ref) ?? [...repo.commits.keys()].find((s) => s.startsWith(ref.toLowerCase()) && ref.length >= 7);
      if (sha === undefined) {
        json(422, { message: `No commit found for SHA: ${ref}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit', status: '422' });
        return;
      }
      json(200, {
        sha,
        node_id: 'C_fake',
        commit: { message: 'a commit', tree: { sha: createHash('sha1').update(sha).digest('hex'), url: '' } },
        url: `${this.githubApiUrl}/repos/${m[1]}/${m[2]}/commits/${sha}`,
        parents: [],
      });
      return;
    }
    if ((m = /^\/github-api\/repos\/([^/]+)\/([^/]+)\/tarball\/(.+)$/.exec(path)) !== null) {
      const repo = this.repos.get(`${m[1]}/${m[2]}`);
      const ref = decodeURIComponent(m[3]!);
      const sha = repo?.refs.get(ref) ?? (repo?.commits.has(ref) ? ref : undefined);
      if (sha === undefined) {
        json(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest/repos/contents#download-a-repository-archive-tar', status: '404' });
        return;
      }
      res.writeHead(302, { location: `${this.codeloadUrl}/${m[1]}/${m[2]}/legacy.tar.gz/${sha}`, 'content-length': 0 }).end();
      return;
    }
    for (const [prefix, dir] of this.directories) {
      if (!path.startsWith(prefix + '/')) continue;
      const file = join(dir, decodeURIComponent(path.slice(prefix.length)));
      if (!file.startsWith(dir + '/') || !existsSync(file) || !statSync(file).isFile()) break;
      this.send(req, res, path, { bytes: readFileSync(file), contentType: 'application/octet-stream' });
      return;
    }
    const served = this.served.get(path);
    if (served === undefined) {
      json(404, { status: 404, message: 'Not found.' });
      return;
    }
    const tampered = this.tampered.get(path);
    this.send(req, res, path, tampered === undefined ? served : { ...served, bytes: tampered });
  }

  /** A download, with ETag, Range and If-Range, and the injected drop. */
  private send(req: http.IncomingMessage, res: http.ServerResponse, path: string, s: Served): void {
    const etag = s.queryEtag === true ? `"${new URL(req.url ?? '/', 'http://x').search.slice(1)}"` : `"${createHash('md5').update(s.bytes).digest('hex')}"`;
    const headers: http.OutgoingHttpHeaders = { 'content-type': s.contentType, etag, 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT' };
    if (s.disposition !== undefined) headers['content-disposition'] = s.disposition;
    let body = s.bytes;
    let status = 200;
    if (!s.chunked && this.ranges) {
      headers['accept-ranges'] = 'bytes';
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const ifRange = req.headers['if-range'];
      if (range !== null && (ifRange === undefined || ifRange === etag)) {
        const start = Number(range[1]);
        if (start >= s.bytes.length) {
          res.writeHead(416, { 'content-range': `bytes */${s.bytes.length}` }).end();
          return;
        }
        status = 206;
        headers['content-range'] = `bytes ${start}-${s.bytes.length - 1}/${s.bytes.length}`;
        body = s.bytes.subarray(start);
      }
    }
    if (!s.chunked) headers['content-length'] = body.length;
    if (req.method === 'HEAD') {
      headers['content-length'] = s.bytes.length;
      res.writeHead(200, headers).end();
      return;
    }
    if (this.mutes.delete(path)) return;
    if (this.endless.has(path)) {
      delete headers['content-length'];
      delete headers['accept-ranges'];
      res.writeHead(200, headers);
      const more = (): void => {
        while (!res.destroyed && res.write(body));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
      return;
    }
    if (this.stalls.delete(path)) {
      res.writeHead(status, headers);
      res.write(body.subarray(0, 1));
      return;
    }
    const drop = this.drops.get(path);
    if (drop !== undefined) {
      this.drops.delete(path);
      res.writeHead(status, headers);
      res.write(body.subarray(0, drop), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.writeHead(status, headers).end(body);
  }
}
