// An in-memory GuestHandle for unit tests: files in a Map, directories in a Set, a log of every
// command and mutating call, and scripted command results (text, a failure, or a function that may
// also change files, like update-grub rewriting grub.cfg). Strict by default: a command or script
// that no handler matches fails the test, naming the call, even when the code under test catches
// the error it throws.
import { readFile, writeFile } from "node:fs/promises";
import { onTestFinished } from "vitest";
import type { GuestHandle, InspectedRoot, PartitionInfo } from "../../../src/model/guest-handle.js";

/** One command or script run in the fake guest. `text` is what handlers match against. */
export interface FakeCall {
  readonly kind: "command" | "sh";
  readonly argv: readonly string[];
  readonly script?: string;
  /** argv joined with spaces, or the script itself. */
  readonly text: string;
  readonly timeoutMs?: number;
}

/** What a scripted command does: return its stdout (or nothing), or throw to fail. */
export type FakeHandler = (call: FakeCall, guest: FakeGuest) => string | void | Promise<string | void>;

export interface FakeGuestOptions {
  /** Guest path -> content. Parent directories are created implicitly. */
  readonly files?: Readonly<Record<string, string>>;
  /** Extra (possibly empty) directories. */
  readonly dirs?: readonly string[];
  /** Symbolic links, guest path -> target (absolute, or relative to the link's directory). */
  readonly symlinks?: Readonly<Record<string, string>>;
  readonly devices?: readonly string[];
  readonly filesystems?: Readonly<Record<string, string>>;
  readonly blkid?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly partitionTables?: Readonly<Record<string, string>>;
  /** Partitions by device (listPartitions, partitionInfo); a device not listed is no partition. */
  readonly partitions?: Readonly<Record<string, PartitionInfo>>;
  /** What vfsType finds on a device (libblkid's TYPE: "ntfs", "BitLocker"); "" when not listed. */
  readonly vfsTypes?: Readonly<Record<string, string>>;
  /** The passphrase that opens each LUKS device (openLuks); any other passphrase fails. */
  readonly luksPassphrases?: Readonly<Record<string, string>>;
  readonly roots?: readonly InspectedRoot[];
  /** What mountRoot reports as data file systems it left unmounted. */
  readonly unmountable?: readonly string[];
  readonly applications?: Readonly<Record<string, readonly { name: string; version: string }[]>>;
  readonly freeBytes?: number;
  /**
   * Files of each root's filesystems (root device -> guest path -> content), loaded into the tree
   * by mountRoot: a guest with several operating systems shows only the mounted one's files.
   */
  readonly rootFiles?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Raw bytes of block devices (device -> bytes), for boot-sector reads and writes; the test reads
   * what was written with deviceBytes(). A device's size is its byte count here.
   */
  readonly deviceBytes?: Readonly<Record<string, Buffer>>;
  /** Sizes of devices without bytes (a whole disk of several GiB); default: deviceBytes' length. */
  readonly deviceSizes?: Readonly<Record<string, number>>;
  /** Files of filesystems that mount() puts on a directory (device -> path inside it -> content). */
  readonly deviceFiles?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Default true: an unscripted command or script throws FakeUnscriptedError and fails the test
   * when it ends. false: it succeeds with "" (for tests that do not care what runs).
   */
  readonly strict?: boolean;
}

/** The error a failing fake command throws (the real handle throws its own GuestfsError). */
export class FakeCommandError extends Error {
  constructor(readonly call: FakeCall, message: string) {
    super(message);
    this.name = "FakeCommandError";
  }
}

/** What an unscripted call throws in strict mode. */
export class FakeUnscriptedError extends Error {
  constructor(readonly call: FakeCall) {
    super(`fake guest (strict): unscripted ${call.kind}: ${JSON.stringify(call.text)}; script it with guest.on(match, result), or pass { strict: false }`);
    this.name = "FakeUnscriptedError";
  }
}

const parentOf = (p: string): string => (p.lastIndexOf("/") <= 0 ? "/" : p.slice(0, p.lastIndexOf("/")));

function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return `/${out.join("/")}`;
}

export class FakeGuest implements GuestHandle {
  readonly files = new Map<string, string>();
  readonly modes = new Map<string, number>();
  readonly dirs = new Set<string>(["/"]);
  readonly symlinks = new Map<string, string>();
  /** Every command and script, in order. */
  readonly calls: FakeCall[] = [];
  /** Every call that changed the guest ("write /etc/fstab", "cp a b", "rm x", "command ..."), in order. */
  readonly ops: string[] = [];
  /** Calls no handler matched, in strict mode (each also threw FakeUnscriptedError). */
  readonly unscripted: FakeCall[] = [];
  private readonly handlers: { match: string | RegExp; handler: FakeHandler }[] = [];
  private readonly opts: FakeGuestOptions;

  constructor(opts: FakeGuestOptions = {}) {
    this.opts = opts;
    for (const d of opts.dirs ?? []) this.addDir(d);
    for (const [p, c] of Object.entries(opts.files ?? {})) this.setFile(p, c);
    for (const [p, t] of Object.entries(opts.symlinks ?? {})) { this.addDir(parentOf(normalize(p))); this.symlinks.set(normalize(p), t); }
    if (this.strict) {
      // Code under test may catch the error an unscripted call throws (findmnt ... || true, a
      // fallback package manager); the test still fails when it ends.
      try { onTestFinished(() => this.assertAllScripted()); } catch { /* built outside a test: the throw alone reports it */ }
    }
  }

  get strict(): boolean { return this.opts.strict ?? true; }

  /** Throws naming every unscripted call so far (strict mode records them). */
  assertAllScripted(): void {
    if (this.unscripted.length === 0) return;
    throw new Error(`fake guest (strict): ${this.unscripted.length} unscripted call(s): `
      + `${this.unscripted.map((c) => `${c.kind} ${JSON.stringify(c.text)}`).join("; ")}. Script them with guest.on(match, result).`);
  }

  // ----- test helpers -----------------------------------------------------------------------

  /** Create a file (and its parents) without logging it as an operation. */
  setFile(path: string, content: string): void {
    const p = this.resolve(path);
    this.addDir(parentOf(p));
    this.files.set(p, content);
  }

  addDir(path: string): void {
    let p = normalize(path);
    while (!this.dirs.has(p)) { this.dirs.add(p); p = parentOf(p); }
  }

  /** File content, or undefined. */
  file(path: string): string | undefined { return this.files.get(this.resolve(path)); }

  /**
   * Script a command: the newest registration whose `match` is found in the call's text (a substring
   * or a RegExp) handles it. A string or Error result is returned or thrown as is. Unmatched calls
   * fail in strict mode (the default) and succeed with "" otherwise.
   */
  on(match: string | RegExp, result: string | Error | FakeHandler): this {
    const handler: FakeHandler = typeof result === "function" ? result
      : result instanceof Error ? () => { throw result; } : () => result;
    this.handlers.push({ match, handler });
    return this;
  }

  /** The texts of all calls, for order assertions. */
  get commandTexts(): string[] { return this.calls.map((c) => c.text); }

  // ----- path handling ----------------------------------------------------------------------

  /** Follow symlinks in every component of a path. */
  resolve(path: string): string {
    let p = normalize(path);
    for (let hops = 0; hops < 40; hops++) {
      const parts = p.split("/").filter(Boolean);
      let changed = false;
      for (let i = 1; i <= parts.length; i++) {
        const prefix = `/${parts.slice(0, i).join("/")}`;
        const target = this.symlinks.get(prefix);
        if (target === undefined) continue;
        const base = target.startsWith("/") ? target : `${parentOf(prefix)}/${target}`;
        p = normalize(`${base}/${parts.slice(i).join("/")}`);
        changed = true;
        break;
      }
      if (!changed) return p;
    }
    throw new Error(`fake guest: too many levels of symbolic links in ${path}`);
  }

  private need(path: string): string {
    const p = this.resolve(path);
    const content = this.files.get(p);
    if (content === undefined) throw new Error(`fake guest: ${path}: No such file or directory`);
    return content;
  }

  // ----- GuestHandle: inspection ---------------------------------------------------------------

  async inspectRoots(): Promise<readonly InspectedRoot[]> { return this.opts.roots ?? []; }
  async listApplications(root: string): Promise<readonly { name: string; version: string }[]> {
    return this.opts.applications?.[root] ?? [];
  }
  /** The root mountRoot mounted last, if any. */
  mountedRoot: string | undefined;
  async mountRoot(root: InspectedRoot): Promise<readonly string[]> {
    this.mountedRoot = root.root;
    for (const [p, c] of Object.entries(this.opts.rootFiles?.[root.root] ?? {})) this.setFile(p, c);
    this.ops.push(`mount ${root.root}`);
    return this.opts.unmountable ?? [];
  }
  async listFilesystems(): Promise<Readonly<Record<string, string>>> { return this.opts.filesystems ?? {}; }
  async partitionTableType(device: string): Promise<string | undefined> { return this.opts.partitionTables?.[device]; }
  async listDevices(): Promise<readonly string[]> { return this.opts.devices ?? ["/dev/sda"]; }
  async listPartitions(): Promise<readonly string[]> { return Object.keys(this.opts.partitions ?? {}).sort(); }
  async partitionInfo(device: string): Promise<PartitionInfo | undefined> { return this.opts.partitions?.[device]; }
  async openLuks(device: string, mapName: string, passphrase: string): Promise<void> {
    const call: FakeCall = { kind: "command", argv: ["cryptsetup-open", device, mapName], text: `cryptsetup-open ${device} ${mapName}` };
    this.calls.push(call);
    if (this.opts.luksPassphrases?.[device] !== passphrase) throw new FakeCommandError(call, "No key available with this passphrase");
    this.ops.push(`cryptsetup-open ${device} ${mapName}`);
  }
  async activateVolumeGroups(): Promise<void> { this.ops.push("vg-activate-all"); }
  async vfsType(device: string): Promise<string> { return this.opts.vfsTypes?.[device] ?? ""; }
  private rawDevices = new Map<string, Buffer>();
  /** The current bytes of a device given in FakeGuestOptions.deviceBytes (a copy: writes change it). */
  deviceBytes(device: string): Buffer {
    let b = this.rawDevices.get(device);
    if (!b) {
      const given = this.opts.deviceBytes?.[device];
      if (!given) throw new Error(`fake guest: ${device}: no such block device`);
      b = Buffer.from(given);
      this.rawDevices.set(device, b);
    }
    return b;
  }
  async deviceSizeBytes(device: string): Promise<number> { return this.opts.deviceSizes?.[device] ?? this.deviceBytes(device).length; }
  async readDeviceRange(device: string, localPath: string, offset: number, size: number): Promise<void> {
    await writeFile(localPath, this.deviceBytes(device).subarray(offset, offset + size));
    this.ops.push(`read-device ${device} ${offset} ${size}`);
  }
  async writeDeviceRange(localPath: string, device: string, offset: number): Promise<void> {
    const bytes = await readFile(localPath);
    const dev = this.deviceBytes(device);
    if (offset + bytes.length > dev.length) throw new Error(`fake guest: write past the end of ${device}`);
    bytes.copy(dev, offset);
    this.ops.push(`write-device ${device} ${offset} ${bytes.length}`);
  }
  async blkid(device: string): Promise<Readonly<Record<string, string>>> {
    const tags = this.opts.blkid?.[device];
    if (!tags) throw new Error(`fake guest: blkid: ${device}: no signature`);
    return tags;
  }

  // ----- GuestHandle: files ------------------------------------------------------------------

  async exists(path: string): Promise<boolean> { const p = this.resolve(path); return this.files.has(p) || this.dirs.has(p); }
  async isFile(path: string): Promise<boolean> { return this.files.has(this.resolve(path)); }
  async isDir(path: string): Promise<boolean> { return this.dirs.has(this.resolve(path)); }
  async ls(path: string): Promise<readonly string[]> {
    const dir = this.resolve(path);
    if (!this.dirs.has(dir)) return [];
    const prefix = dir === "/" ? "/" : `${dir}/`;
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs, ...this.symlinks.keys()]) {
      if (p !== dir && p.startsWith(prefix) && !p.slice(prefix.length).includes("/")) names.add(p.slice(prefix.length));
    }
    return [...names].sort();
  }
  async readFile(path: string): Promise<string> { return this.need(path); }
  async writeFile(path: string, content: string, mode?: number): Promise<void> {
    const p = this.resolve(path);
    if (!this.dirs.has(parentOf(p))) throw new Error(`fake guest: write ${path}: parent directory does not exist`);
    this.files.set(p, content);
    if (mode !== undefined) this.modes.set(p, mode);
    this.ops.push(`write ${p}`);
  }
  /** Bytes are kept as a latin1 string, so a binary file round-trips unchanged. */
  async upload(localPath: string, path: string, mode?: number): Promise<void> {
    await this.writeFile(path, await readFile(localPath, "latin1"), mode);
    this.ops.push(`upload ${this.resolve(path)}`);
  }
  async download(path: string, localPath: string, maxBytes?: number): Promise<void> {
    const content = this.need(path);
    if (maxBytes !== undefined && content.length > maxBytes) throw new Error(`fake guest: download ${path}: ${content.length} bytes > ${maxBytes}`);
    await writeFile(localPath, content, "latin1");
    this.ops.push(`download ${this.resolve(path)}`);
  }
  async downloadRange(path: string, localPath: string, offset: number, size: number): Promise<void> {
    await writeFile(localPath, this.need(path).slice(offset, offset + size), "latin1");
    this.ops.push(`download-range ${this.resolve(path)} ${offset} ${size}`);
  }
  /** Each component matched case-insensitively against what exists; a missing last one is kept. */
  async caseSensitivePath(path: string): Promise<string> {
    let cur = "/";
    const parts = normalize(path).split("/").filter(Boolean);
    for (const [i, part] of parts.entries()) {
      const names = await this.ls(cur);
      const hit = names.find((n) => n.toLowerCase() === part.toLowerCase());
      if (!hit && i < parts.length - 1) throw new Error(`fake guest: case-sensitive-path ${path}: ${cur} has no ${part}`);
      cur = cur === "/" ? `/${hit ?? part}` : `${cur}/${hit ?? part}`;
    }
    return cur;
  }
  /** Loads the device's files (FakeGuestOptions.deviceFiles) under the mountpoint. */
  async mount(device: string, path: string): Promise<void> {
    const base = this.resolve(path);
    if (!this.dirs.has(base)) throw new Error(`fake guest: mount ${device} ${path}: no such directory`);
    for (const [p, content] of Object.entries(this.opts.deviceFiles?.[device] ?? {})) this.setFile(`${base}${p}`, content);
    this.ops.push(`mount ${device} ${base}`);
  }
  /** Keeps the files (a test reads what was written on the device through them). */
  async umount(path: string): Promise<void> {
    this.ops.push(`umount ${this.resolve(path)}`);
  }
  async mkdirP(path: string): Promise<void> { this.addDir(this.resolve(path)); this.ops.push(`mkdir ${path}`); }
  async rm(path: string): Promise<void> {
    const p = this.resolve(path);
    if (!this.files.delete(p)) throw new Error(`fake guest: rm ${path}: No such file or directory`);
    this.ops.push(`rm ${p}`);
  }
  async rmRf(path: string): Promise<void> {
    const p = this.resolve(path);
    for (const f of [...this.files.keys()]) if (f === p || f.startsWith(`${p}/`)) this.files.delete(f);
    for (const d of [...this.dirs]) if (d !== "/" && (d === p || d.startsWith(`${p}/`))) this.dirs.delete(d);
    this.ops.push(`rm-rf ${p}`);
  }
  async mv(from: string, to: string): Promise<void> {
    const content = this.need(from);
    const dest = this.resolve(to);
    if (!this.dirs.has(parentOf(dest))) throw new Error(`fake guest: mv ${to}: parent directory does not exist`);
    this.files.delete(this.resolve(from));
    this.files.set(dest, content);
    this.ops.push(`mv ${from} ${to}`);
  }
  async cp(from: string, to: string): Promise<void> {
    const content = this.need(from);
    const dest = this.resolve(to);
    if (!this.dirs.has(parentOf(dest))) throw new Error(`fake guest: cp ${to}: parent directory does not exist`);
    this.files.set(dest, content);
    this.ops.push(`cp ${from} ${to}`);
  }
  async realpath(path: string): Promise<string> { return this.resolve(path); }

  // ----- GuestHandle: commands ---------------------------------------------------------------

  async command(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<string> {
    return this.dispatch({ kind: "command", argv, text: argv.join(" "), ...(opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  }
  async sh(script: string, opts?: { timeoutMs?: number }): Promise<string> {
    return this.dispatch({ kind: "sh", argv: ["/bin/sh", "-c", script], script, text: script, ...(opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  }
  private async dispatch(call: FakeCall): Promise<string> {
    this.calls.push(call);
    this.ops.push(`${call.kind} ${call.text}`);
    for (let i = this.handlers.length - 1; i >= 0; i--) {
      const { match, handler } = this.handlers[i]!;
      const hit = typeof match === "string" ? call.text.includes(match) : match.test(call.text);
      if (!hit) continue;
      try {
        return (await handler(call, this)) ?? "";
      } catch (e) {
        throw e instanceof FakeCommandError ? e : new FakeCommandError(call, e instanceof Error ? e.message : String(e));
      }
    }
    if (!this.strict) return "";
    this.unscripted.push(call);
    throw new FakeUnscriptedError(call);
  }

  // ----- GuestHandle: the rest ---------------------------------------------------------------

  async freeBytes(_path: string): Promise<number> { return this.opts.freeBytes ?? 1024 ** 3; }
  /** Failures to report per mountpoint ("mountpoint: reason"); set by a test. */
  fstrimFailures: string[] = [];
  async fstrimAll(): Promise<readonly string[]> { this.ops.push("fstrim"); return this.fstrimFailures; }
  async close(): Promise<void> { this.ops.push("close"); }
}
