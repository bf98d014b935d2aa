// The version v2v prints (-V): read from package.json, found relative to this module.
import { readFileSync } from "node:fs";

/**
 * src/model/version.ts (run by vitest) and dist/model/version.js (after tsc) both sit two levels
 * below package.json, so one relative URL serves both.
 */
export function readVersion(): string {
  const url = new URL("../../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error(`${url.pathname} has no "version" string`);
  return pkg.version;
}

/** The line `v2v -V` prints, e.g. "v2v 0.1.0\n". */
export function formatVersion(version: string = readVersion()): string {
  return `v2v ${version}\n`;
}
