// For the Node.js tests: waits until a child process prints a line matching
// `pattern` (on stdout or stderr) and resolves with the match.
export function waitForLine(child, pattern, what, ms = 60000) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), ms);
    const onData = (chunk) => {
      seen += chunk.toString();
      const m = seen.match(pattern);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}: ${seen}`)));
    child.on('error', (e) => reject(e));
  });
}
