// Virtual time for the browser client's unit tests: nothing sleeps; timers run when a test advances
// the clock, in time order (ties in the order they were set).

export class Clock {
  constructor(start = 0) { this.t = start; this.tasks = []; this.ids = 0; }

  now() { return this.t; }

  setTimeout(f, ms) { const id = ++this.ids; this.tasks.push({ id, at: this.t + ms, f }); return id; }

  clearTimeout(id) { this.tasks = this.tasks.filter((x) => x.id !== id); }

  /** The timers a client under test takes: {setTimeout, clearTimeout, now}. */
  timers() {
    return { setTimeout: (f, ms) => this.setTimeout(f, ms), clearTimeout: (id) => this.clearTimeout(id), now: () => this.now() };
  }

  /** Runs the next task due by `end`, moving the clock to its time; false when none is. */
  runNext(end) {
    this.tasks.sort((a, b) => a.at - b.at || a.id - b.id);
    const next = this.tasks[0];
    if (!next || next.at > end) return false;
    this.tasks.shift();
    this.t = next.at;
    next.f();
    return true;
  }

  /** Moves the clock `ms` forward, running every task that falls due. */
  advance(ms) {
    const end = this.t + ms;
    while (this.runNext(end));
    this.t = end;
  }

  /** As advance, letting pending promise callbacks run before each task and at the end (for code that awaits). */
  async advanceSettling(ms) {
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const end = this.t + ms;
    do await settle(); while (this.runNext(end));
    this.t = end;
    await settle();
  }
}
