// Runs before `npm install` (the `preinstall` script; the one engines check that stops an install,
// see .npmrc): on a Node the project does not support, stop with one line that says what it
// needs, instead of crashing later inside a native module (better-sqlite3 13 loads on Node 22+ only and segfaults on 20).
// Plain JavaScript with no imports, so it runs on any Node before anything is installed.
const required = { major: 22, minor: 12 };
const [major, minor] = process.versions.node.split(".").map(Number);
const supported = major > required.major || (major === required.major && minor >= required.minor);
if (!supported) {
  console.error(
    `claimtrip needs Node.js ${required.major}.${required.minor} or newer (tested on 22, 24 and 26); this is ${process.version}. ` +
      'Install a current LTS (nodejs.org, nvm, fnm), or see README "Node.js versions" for getting one from the npm registry.',
  );
  process.exit(1);
}
