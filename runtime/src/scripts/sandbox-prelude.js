// Runs inside each tenant's isolate, once, before any tenant code: it builds the script API and the
// runner the host calls, then locks the global environment down. Everything a later script could
// tamper with is captured here first, so the runner only ever uses the originals.
// Evaluated as an expression: its value is the function the host applies to (hostQuery, progress).
(function prelude(hostQuery, progressBuffer) {
  const G = globalThis;
  const {
    create,
    defineProperty,
    freeze,
    getOwnPropertyDescriptor,
    getOwnPropertyNames,
    getOwnPropertySymbols,
    getPrototypeOf,
    hasOwn,
    isFrozen,
  } = Object;
  const { parse, stringify } = JSON;
  const { apply } = Reflect;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const EvalErrorCtor = EvalError;
  const PromiseCtor = Promise;
  const StringCtor = String;
  const MapCtor = Map;
  const WeakSetCtor = WeakSet;
  const promiseThen = Promise.prototype.then;
  const hostApply = hostQuery.apply;
  const HOST_CALL = { result: { promise: true } };
  const FIELD = /^[a-z][a-z0-9_]{0,62}$/;
  const LOCALE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$/;
  const progress = new Int32Array(progressBuffer);

  /** key → { name, file, fn } of every compiled script and expression. */
  const registry = new MapCtor();

  function clip(text, max) {
    return text.length > max ? `${text.slice(0, max)}…` : text;
  }

  /** Freezes JSON data (no getters, no cycles) all the way down, without recursion. */
  function deepFreeze(value) {
    const stack = [value];
    while (stack.length > 0) {
      const current = stack.pop();
      if (current === null || typeof current !== 'object' || isFrozen(current)) continue;
      freeze(current);
      for (const key of getOwnPropertyNames(current)) stack.push(current[key]);
    }
    return value;
  }

  /** A JSON copy: plain data only, nothing the script can keep a live handle on. */
  function jsonCopy(value) {
    const text = stringify(value);
    return text === undefined ? undefined : parse(text);
  }

  function show(value) {
    if (typeof value === 'string') return value;
    try {
      if (
        value === undefined ||
        typeof value === 'function' ||
        typeof value === 'symbol' ||
        typeof value === 'bigint'
      ) {
        return StringCtor(value);
      }
      return stringify(value) ?? StringCtor(value);
    } catch {
      try {
        return StringCtor(value);
      } catch {
        return '[unprintable value]';
      }
    }
  }

  /** Message and position (in the author's source) of whatever a script threw. */
  function describeThrown(thrown, file) {
    let message;
    let stack = '';
    try {
      if (thrown instanceof ErrorCtor) {
        const name = typeof thrown.name === 'string' ? thrown.name : 'Error';
        const text = typeof thrown.message === 'string' ? thrown.message : '';
        message = text ? `${name}: ${text}` : name;
        stack = typeof thrown.stack === 'string' ? thrown.stack : '';
      } else {
        message = `Uncaught ${show(thrown)}`;
      }
    } catch {
      message = 'The script threw a value that cannot be read';
    }
    const failure = { message: clip(message, 1000) };
    const marker = `${file}:`;
    for (const line of stack.split('\n')) {
      const at = line.indexOf(marker);
      if (at < 0) continue;
      const m = /^(\d+):(\d+)/.exec(line.slice(at + marker.length));
      if (m) {
        failure.line = Number(m[1]);
        failure.column = Number(m[2]);
        break;
      }
    }
    return failure;
  }

  /** A failure to report instead of a result; thrown through the runner, never built by scripts. */
  const failures = new WeakSetCtor();
  class Failure {
    constructor(kind, fields) {
      this.kind = kind;
      this.fields = fields;
      failures.add(this);
    }
  }
  // Not `instanceof`: a thrown Proxy would run the script's traps (and could throw from them) here.
  const isFailure = (value) => failures.has(value);

  function define(key, name, file, fn) {
    if (typeof fn !== 'function') throw new TypeErrorCtor(`${name} did not compile to a function`);
    registry.set(key, { name, file, fn });
  }

  function entryOf(key) {
    const entry = registry.get(key);
    if (!entry) throw new Failure('internal', { message: `Script ${key} is not loaded` });
    return entry;
  }

  /** One call's state: everything a script can write lives here, never in globals. */
  function newState(callId, job) {
    return {
      callId,
      limits: job.limits,
      done: false,
      queries: 0,
      errors: create(null),
      errorI18n: create(null),
      changes: create(null),
      logs: [],
      logChars: 0,
      dropped: 0,
      record: deepFreeze(job.record ?? {}),
      old: deepFreeze(job.old ?? null),
      user: deepFreeze(job.user ?? null),
      params: deepFreeze(job.params ?? {}),
      dirty: false,
      /** Run within the host's synchronous call (`runNow`): no host calls. */
      now: false,
      needsHost: false,
    };
  }

  /** After set(), the next script sees the record with the change (a fresh frozen copy). */
  function currentRecord(state) {
    if (state.dirty) {
      state.record = freeze({ ...state.record, ...state.changes });
      state.dirty = false;
    }
    return state.record;
  }

  function apiFor(state, name, canSet) {
    const prefix = `[${name}] `;
    const error = (field, message, translations) => {
      if (message === undefined) {
        message = field;
        field = '_';
      }
      if (typeof field !== 'string' || (field !== '_' && !FIELD.test(field))) {
        throw new TypeErrorCtor('error(field, message): field must be a field name');
      }
      if (hasOwn(state.errors, field)) return;
      state.errors[field] = clip(show(message), 1000);
      // The message in other languages, {"zh-CN": "…"}: clients show their user's.
      if (translations !== null && typeof translations === 'object') {
        const out = create(null);
        let n = 0;
        for (const lang of getOwnPropertyNames(translations)) {
          const text = translations[lang];
          if (n >= 10 || !LOCALE_TAG.test(lang) || typeof text !== 'string' || !text) continue;
          out[lang] = clip(text, 1000);
          n++;
        }
        if (n > 0) state.errorI18n[field] = out;
      }
    };
    const set = (field, value) => {
      if (!canSet) throw new TypeErrorCtor('set() is only available in beforeSave and action scripts');
      if (typeof field !== 'string' || !FIELD.test(field)) {
        throw new TypeErrorCtor('set(field, value): field must be a field name');
      }
      let copy;
      try {
        copy = jsonCopy(value);
      } catch (e) {
        throw new TypeErrorCtor(
          `set('${field}', value): the value must be JSON data (${describeThrown(e, '').message})`,
        );
      }
      if (copy === undefined) {
        throw new TypeErrorCtor(`set('${field}', value): the value must be JSON data, not ${typeof value}`);
      }
      state.changes[field] = deepFreeze(copy);
      state.dirty = true;
    };
    const log = (...values) => {
      // Logs may take a quarter of the output limit, so a chatty rule never fails for its logs.
      if (state.logs.length >= state.limits.maxLogLines || state.logChars >= state.limits.maxOutputChars / 4) {
        state.dropped += 1;
        return;
      }
      let line = '';
      for (const value of values) {
        line += (line ? ' ' : '') + show(value);
        if (line.length > state.limits.maxLogLineChars) break;
      }
      const entry = prefix + clip(line, state.limits.maxLogLineChars);
      state.logChars += entry.length;
      state.logs.push(entry);
    };
    const query = (object, filter, options) =>
      new PromiseCtor((resolve, reject) => {
        // A call run at once (`runNow`) cannot wait for the host: it is abandoned before anything is
        // asked of the host (this promise never settles, so the script goes no further), and the
        // host runs it again as an ordinary call.
        if (state.now) {
          state.needsHost = true;
          return;
        }
        // Made now, so a refusal arriving later still points at the script line that asked.
        const refusal = new ErrorCtor('query() failed');
        if (typeof object !== 'string' || !FIELD.test(object)) {
          throw new TypeErrorCtor('query(object, filter, options?): object must be an object name');
        }
        if (state.queries >= state.limits.queryBudget) {
          throw new ErrorCtor(`query(): at most ${state.limits.queryBudget} queries per call`);
        }
        state.queries += 1;
        let filterJson;
        let optionsJson;
        try {
          filterJson = stringify(filter ?? {});
          optionsJson = stringify(options ?? {});
        } catch (e) {
          throw new TypeErrorCtor(`query(): filter and options must be JSON data (${describeThrown(e, '').message})`);
        }
        const pending = apply(hostApply, hostQuery, [
          undefined,
          [state.callId, object, filterJson, optionsJson],
          HOST_CALL,
        ]);
        apply(promiseThen, pending, [
          (answer) => {
            // A call that has finished never resumes: nothing of it may run outside its time limit.
            if (state.done) return;
            let parsed;
            try {
              parsed = parse(answer);
            } catch {
              parsed = { ok: false, error: 'query(): unreadable answer' };
            }
            if (parsed.ok) {
              resolve(parsed.items);
              return;
            }
            refusal.message = clip(show(parsed.error), 1000);
            reject(refusal);
          },
          () => {
            if (state.done) return;
            refusal.message = 'query(): the query failed';
            reject(refusal);
          },
        ]);
      });
    // adjust(object, id, field, by, {min, max}?): a guarded, atomic change of a number field of
    // another record (stock, points), in the save's transaction. It travels the query channel (one
    // host call, counted in the query budget) and answers {ok, value}: ok false leaves it unchanged.
    const adjust = (object, id, field, by, bounds) => {
      if (typeof id !== 'string' || typeof field !== 'string' || !FIELD.test(field)) {
        throw new TypeErrorCtor(
          'adjust(object, id, field, by, bounds?): id must be a record id and field a field name',
        );
      }
      // by - by is 0 for finite numbers only (NaN and ±Infinity give NaN).
      if (typeof by !== 'number' || by - by !== 0) {
        throw new TypeErrorCtor('adjust(): by must be a finite number');
      }
      const options = { adjust: { field, by } };
      if (bounds !== undefined && bounds !== null) {
        if (typeof bounds !== 'object') throw new TypeErrorCtor('adjust(): bounds must be {min?, max?}');
        if (bounds.min !== undefined) options.adjust.min = bounds.min;
        if (bounds.max !== undefined) options.adjust.max = bounds.max;
      }
      return apply(promiseThen, query(object, { id: { eq: id } }, options), [
        (items) => {
          const r = items[0];
          return freeze({ ok: r.ok === true, value: r.value });
        },
      ]);
    };
    return { error, set, log, query, adjust };
  }

  async function invoke(state, key, canSet, position) {
    const entry = entryOf(key);
    progress[0] = state.callId;
    progress[1] = position;
    const api = apiFor(state, entry.name, canSet);
    try {
      return await entry.fn(
        currentRecord(state),
        state.old,
        state.user,
        api.error,
        api.set,
        api.log,
        api.query,
        state.params,
        api.adjust,
      );
    } catch (thrown) {
      if (isFailure(thrown)) throw thrown;
      throw new Failure('error', { key, ...describeThrown(thrown, entry.file) });
    }
  }

  function evaluate(state, key, position) {
    const entry = entryOf(key);
    progress[0] = state.callId;
    progress[1] = position;
    try {
      const value = jsonCopy(entry.fn(currentRecord(state), state.old, state.user));
      return value === undefined ? null : value;
    } catch (thrown) {
      throw new Failure('error', { key, ...describeThrown(thrown, entry.file) });
    }
  }

  function hasErrors(state) {
    return getOwnPropertyNames(state.errors).length > 0;
  }

  async function runSave(state, job) {
    let position = 0;
    for (const key of job.validate) await invoke(state, key, false, position++);
    if (hasErrors(state)) return;
    for (const key of job.beforeSave) await invoke(state, key, true, position++);
    if (hasErrors(state)) return;
    for (const [field, key] of job.formulas) {
      state.changes[field] = deepFreeze(evaluate(state, key, position++));
      state.dirty = true;
    }
  }

  function output(state, extra) {
    // A script caught the refusal of a host call in `runNow`: its outcome is not the real one.
    if (state.needsHost) return null;
    const logs = state.logs;
    if (state.dropped > 0) logs.push(`… ${state.dropped} more log lines dropped`);
    const text = stringify({
      ok: true,
      errors: state.errors,
      errorI18n: state.errorI18n,
      changes: state.changes,
      logs,
      ...extra,
    });
    if (text.length > state.limits.maxOutputChars) {
      return stringify({
        ok: false,
        kind: 'output',
        message: `The output is ${text.length} characters long, more than the limit of ${state.limits.maxOutputChars}`,
        logs: logs.slice(0, 20),
      });
    }
    return text;
  }

  /** The one entry point of the host: a job as JSON in, the outcome as JSON out. */
  async function run(callId, jobJson) {
    return execute(callId, jobJson, false);
  }

  /** The outcome of the last `runNow`, read by `take` (null when it could not finish at once). */
  let taken = null;

  /**
   * Runs a job within the host's synchronous call: what settles before that call returns (every
   * script that does not wait for the host, its awaits included) is then read by `take`. Saves no
   * hop to the isolate's own thread and back, which on a machine whose cores sleep between calls
   * costs more than the scripts. A job that asks the host for anything (`query()`, `adjust()`) is
   * abandoned before it asks, and the host runs it again with `run`.
   */
  function runNow(callId, jobJson) {
    taken = null;
    apply(promiseThen, execute(callId, jobJson, true), [
      (out) => {
        taken = out;
      },
    ]);
  }

  function take() {
    const out = taken;
    taken = null;
    return out ?? undefined;
  }

  async function execute(callId, jobJson, now) {
    const job = parse(jobJson);
    const state = newState(callId, job);
    state.now = now;
    try {
      if (job.op === 'save') {
        await runSave(state, job);
        return output(state, {});
      }
      if (job.op === 'script') {
        const returned = await invoke(state, job.script, job.canSet, 0);
        let result;
        try {
          result = jsonCopy(returned);
        } catch (e) {
          throw new Failure('error', {
            key: job.script,
            message: `The return value is not JSON data (${describeThrown(e, '').message})`,
          });
        }
        return output(state, result === undefined ? {} : { result });
      }
      if (job.op === 'eval') {
        const values = [];
        let position = 0;
        for (const key of job.keys) values.push(evaluate(state, key, position++));
        return output(state, { values });
      }
      throw new Failure('internal', { message: `Unknown job ${show(job.op)}` });
    } catch (thrown) {
      if (state.needsHost) return null;
      const failure = isFailure(thrown) ? thrown : new Failure('internal', describeThrown(thrown, 'sandbox-prelude'));
      return stringify({ ok: false, kind: failure.kind, ...failure.fields, logs: state.logs.slice(0, 50) });
    } finally {
      state.done = true;
    }
  }

  /** Removes what scripts must not reach and freezes every shared object, so no state outlives a call. */
  function lockdown() {
    // Shared memory and blocking waits, code that runs after the call (GC callbacks), and WebAssembly
    // are not needed by rules and widen the attack surface; console output would go nowhere.
    for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly', 'FinalizationRegistry', 'WeakRef', 'console']) {
      delete G[name];
    }
    // RegExp.$1, RegExp.lastMatch… hold the last match of any call: one user's data seen by the next.
    for (const name of getOwnPropertyNames(RegExp)) {
      if (name !== 'length' && name !== 'name' && name !== 'prototype') delete RegExp[name];
    }
    const blocked = function blockedFunction() {
      throw new EvalErrorCtor('Generating code from strings is not allowed in scripts');
    };
    const FunctionProto = getPrototypeOf(() => {});
    blocked.prototype = FunctionProto;
    for (const proto of [
      FunctionProto,
      getPrototypeOf(async () => {}),
      getPrototypeOf(function* () {}),
      getPrototypeOf(async function* () {}),
    ]) {
      defineProperty(proto, 'constructor', { value: blocked, writable: false, configurable: false });
    }
    defineProperty(G, 'Function', { value: blocked, writable: false, configurable: false });
    defineProperty(G, 'eval', { value: blocked, writable: false, configurable: false });

    // Intrinsics not reachable as properties of the global object.
    const roots = [
      G,
      getPrototypeOf([][Symbol.iterator]()),
      getPrototypeOf(new MapCtor().entries()),
      getPrototypeOf(new Set().values()),
      getPrototypeOf(''[Symbol.iterator]()),
      getPrototypeOf('a'.matchAll(/a/g)),
      getPrototypeOf(function* () {}).prototype,
      getPrototypeOf(async function* () {}).prototype,
      getPrototypeOf(getPrototypeOf(async function* () {}).prototype),
    ];
    const seen = new WeakSetCtor();
    const stack = [...roots];
    while (stack.length > 0) {
      const value = stack.pop();
      if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) continue;
      seen.add(value);
      freeze(value);
      stack.push(getPrototypeOf(value));
      for (const key of [...getOwnPropertyNames(value), ...getOwnPropertySymbols(value)]) {
        const descriptor = getOwnPropertyDescriptor(value, key);
        if (!descriptor) continue;
        if ('value' in descriptor) stack.push(descriptor.value);
        else stack.push(descriptor.get, descriptor.set);
      }
    }
  }

  /**
   * The date functions of formulas (and scripts), as metadata/src/formula-dates.ts defines them for
   * the browser: calendar days in UTC, a date-time by its UTC date, null for a missing value.
   */
  function defineDateFunctions() {
    const DAY_MS = 86400000;
    const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
    const DateCtor = Date;
    const { parse: parseDate, UTC } = Date;
    const { floor } = Math;
    const isNaNNumber = Number.isNaN;
    const getTime = Date.prototype.getTime;
    const toISO = Date.prototype.toISOString;
    const exec = RegExp.prototype.exec;
    const dayNumber = (value) => {
      if (value instanceof DateCtor) {
        const t = apply(getTime, value, []);
        return isNaNNumber(t) ? null : floor(t / DAY_MS);
      }
      if (typeof value !== 'string') return null;
      const m = apply(exec, DATE, [value]);
      if (!m) return null;
      if (value.length > 10) {
        const t = parseDate(value);
        return isNaNNumber(t) ? null : floor(t / DAY_MS);
      }
      const t = UTC(+m[1], +m[2] - 1, +m[3]);
      return isNaNNumber(t) ? null : t / DAY_MS;
    };
    const today = () => apply(toISO, new DateCtor(), []).slice(0, 10);
    const daysBetween = (a, b) => {
      const x = dayNumber(a);
      const y = dayNumber(b);
      return x === null || y === null ? null : y - x;
    };
    const fns = {
      today: function today_() {
        return today();
      },
      days_since: function days_since(d) {
        return daysBetween(d, today());
      },
      days_between: function days_between(a, b) {
        return daysBetween(a, b);
      },
    };
    for (const name of getOwnPropertyNames(fns)) {
      defineProperty(G, name, { value: fns[name], writable: false, configurable: false, enumerable: false });
    }
  }

  defineDateFunctions();
  lockdown();
  return freeze({ define, run, runNow, take });
});
