/**
 * How views follow one another: a `Channel` holds one value several views
 * share — the step under the pointer in a chart or a section, the highlighted
 * term of the whole dashboard — and tells its listeners each time a view sets
 * it. A view that reports is given the channel and sets it; a view that follows
 * listens to it (its owner wires it); neither knows the other.
 */

type Listener<T> = (value: T) => void;

export class Channel<T> {
  private current: T;
  private readonly listeners = new Set<Listener<T>>();

  constructor(initial: T) {
    this.current = initial;
  }

  get value(): T {
    return this.current;
  }

  /**
   * Sets the value and tells every listener, in the order they started
   * listening; also when it is unchanged, since a view redrawn meanwhile may
   * need to show it again.
   */
  set(value: T): void {
    this.current = value;
    for (const listener of this.listeners) listener(value);
  }

  /** Calls `listener` on every `set`; returns the function that stops it. */
  listen(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The step index under the pointer (null when it is elsewhere), shared by the views that follow it. */
export type StepChannel = Channel<number | null>;

/** A new step channel, at no step. */
export function stepChannel(): StepChannel {
  return new Channel<number | null>(null);
}
