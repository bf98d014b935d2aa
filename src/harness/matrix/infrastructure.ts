// Pure: tell infrastructure trouble (the libguestfs appliance would not start or died, a container
// or qemu failed to start, the docker daemon went away) from a product failure. A cell that fails
// only for such reasons is BROKEN, not FAIL: it says nothing about the conversion, and the matrix
// runs it once more (suites/boot/matrix.test.ts). Patterns are the messages our own layers and
// the tools below them write; each one was seen or is the documented text.

/** [label, pattern] in the order they are tried. */
const TROUBLE: readonly (readonly [string, RegExp])[] = [
  // guestfish.ts: the server did not start, or the appliance did not launch (with its last lines).
  ["the libguestfs appliance did not start", /libguestfs: (start|run): /],
  ["the libguestfs appliance stopped answering", /no answer after \d+ s; the appliance was stopped/],
  ["a command never reached the guestfish server", /did not reach the guestfish server/],
  // libguestfs's own words for an appliance that died under a command.
  ["the libguestfs appliance died", /child process died unexpectedly|appliance closed the connection unexpectedly|call launch before using this function/],
  // testcontainers and dockerd.
  ["the container engine failed", /Cannot connect to the Docker daemon|\(HTTP code 5\d\d\)|Could not find a working container runtime strategy/],
  ["the boot container did not start", /Container startup failed|failed to start container/i],
];

/** The kind of infrastructure trouble `text` shows, or undefined for anything else. */
export function infrastructureTrouble(text: string): string | undefined {
  return TROUBLE.find(([, re]) => re.test(text))?.[0];
}

/**
 * Pure: is a failed cell BROKEN? Yes when everything that went wrong is infrastructure trouble:
 * the harness's own error (if it stopped) and every failed check. A product failure anywhere (a
 * check that ran and said no) keeps the cell FAIL: a retry must never hide one. Returns the
 * first trouble's label and text.
 */
export function brokenBy(error: string | undefined, failedDetails: readonly string[]): { label: string; text: string } | undefined {
  const texts = [...(error !== undefined ? [error] : []), ...failedDetails];
  if (texts.length === 0) return undefined;
  const labels = texts.map(infrastructureTrouble);
  if (labels.some((l) => l === undefined)) return undefined;
  return { label: labels[0]!, text: texts[0]! };
}
