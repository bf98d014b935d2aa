// Where --key ...:file:FILE and --keys-from-stdin passphrases are read on the host. Both are read
// only when an encrypted volume needs them.
import { readFile } from "node:fs/promises";
import { keyFromFileContent } from "../cli/luks-keys.js";
import { badInput } from "../model/errors.js";
import type { KeySources } from "../guest/decrypt.js";
import type { LuksKey } from "../model/types.js";

/** A key file is a passphrase, not a document: anything bigger is a mistake. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/** The key sources of a run: files read on demand, stdin read once (to its end) and given line by line. */
export function hostKeySources(keys: readonly LuksKey[], keysFromStdin: boolean, stdin: NodeJS.ReadableStream = process.stdin): KeySources {
  let lines: Promise<string[]> | undefined;
  let next = 0;
  return {
    keys,
    keysFromStdin,
    readKeyFile: async (file) => {
      let buf: Buffer;
      try {
        buf = await readFile(file);
      } catch (e) {
        throw badInput(`--key ...:file:${file}: cannot read the key file (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path`, e);
      }
      if (buf.length > MAX_KEY_FILE_BYTES) throw badInput(`--key ...:file:${file}: the key file is ${buf.length} bytes; give a file whose first line is the passphrase`);
      return keyFromFileContent(buf.toString("utf8"));
    },
    nextStdinKey: async () => {
      lines ??= readAllLines(stdin);
      return (await lines)[next++];
    },
  };
}

async function readAllLines(stream: NodeJS.ReadableStream): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  const text = Buffer.concat(chunks).toString("utf8");
  return text.split("\n").map((l) => l.replace(/\r$/, "")).filter((l, i, all) => !(i === all.length - 1 && l === ""));
}
