/**
 * The dashboard: owns the settings, the fetched breakdowns and one card per
 * run (each with its own legends, and the Dynamics section it puts in the
 * card), laid out in the columns the user picked; turns every change
 * (settings, data, size, theme) into one redraw per animation frame.
 */
import { fetchBreakdowns, fetchHParams, fetchRuns, fetchSweep, type Breakdown, type RunHParams, type RunInfo, type RunSummary } from "../data/api";
import { RunCard } from "../cards/card";
import { sortByRun } from "../data/runorder";
import { CompareSection } from "./compare_section";
import { Controls } from "./controls";
import { DynamicsSection } from "../dynamics/dynamics_section";
import { loadSettings, runFilterRegExp, saveSettings, type Settings, type SortColumn } from "../data/settings";
import { mayHaveFindings } from "../cards/training_findings_section";
import { buildRunView, shareYDomains, type RunView } from "../cards/view";

export const SNIPPET = 'callbacks=[tb_regloss.RegLossCallback("runs/exp1")]';
const CARD_PADDING = 22;
/** Cards this many viewport heights beyond the visible area are drawn ahead of scrolling. */
const DRAW_AHEAD = 1;

/** A run's card and the Dynamics section the dashboard put in it. */
interface CardOfRun {
  card: RunCard;
  dynamics: DynamicsSection;
}

export class App {
  readonly el: HTMLElement;
  private settings: Settings;
  private runs: RunInfo[] | null = null;
  private readonly breakdowns = new Map<string, Breakdown>();
  private readonly cards = new Map<string, CardOfRun>();
  private readonly controls: Controls;
  private readonly compare: CompareSection;
  /** Hyperparameters logged with the HParams plugin; empty if none or if they could not be read. */
  private hparams: RunHParams[] = [];
  /** Every run's figures (the `sweep` route), read only when hyperparameters were logged: the sweep plot's points. */
  private summaries: RunSummary[] = [];
  /** The run a sweep point focused: its card is scrolled into view once drawn. */
  private reveal: string | null = null;
  private readonly status = document.createElement("div");
  private readonly grid = document.createElement("div");
  private frame = 0;
  /** Runs whose card is not drawn with the current data and settings (off screen when last drawn). */
  private readonly stale = new Set<string>();
  /** What each card was last drawn with (compared by identity). */
  private readonly drawn = new Map<string, { b: Breakdown; s: Settings; width: number }>();
  /** Tells when an undrawn card scrolls near the viewport. */
  private readonly nearViewport: IntersectionObserver | null =
    typeof IntersectionObserver === "undefined"
      ? null
      : new IntersectionObserver(
          (entries) => {
            if (entries.some((e) => e.isIntersecting && this.stale.has((e.target as HTMLElement).dataset.run ?? ""))) {
              this.schedule();
            }
          },
          { rootMargin: `${DRAW_AHEAD * 100}% 0px` },
        );
  private loading: Promise<void> | null = null;
  private reloadAgain = false;
  private error: string | null = null;

  constructor(private readonly storage: Storage | null) {
    this.settings = loadSettings(storage);
    this.el = document.createElement("main");
    this.el.className = "regloss";
    const title = document.createElement("h1");
    title.textContent = "Loss composition";
    this.controls = new Controls((patch) => this.change(patch));
    this.status.className = "status";
    this.status.setAttribute("aria-live", "polite");
    this.grid.className = "runs";
    this.compare = new CompareSection(storage, (run) => {
      this.reveal = run;
      this.change({ layout: "focus", focusRun: run });
    });
    this.el.append(title, this.controls.el, this.status, this.compare.el, this.grid);
    // Only a new width changes the charts; the grid growing taller as cards fill must not redraw.
    let observedWidth = -1;
    new ResizeObserver((entries) => {
      const width = entries[entries.length - 1].contentRect.width;
      if (width === observedWidth) return;
      observedWidth = width;
      this.schedule();
    }).observe(this.grid);
  }

  /** Fetches runs and the breakdowns of the shown runs; a reload during a load runs once more after it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.reloadAgain = false;
        try {
          // Listed by the values in their names (`wd_1e-4` before `wd_1e-3`): cards, picker, comparison.
          this.runs = sortByRun(await fetchRuns(), (r) => r.run);
          // The comparison works without hyperparameters: a failure here must not hide the charts.
          this.hparams = await fetchHParams().catch(() => this.hparams);
          // Only a sweep (runs with hyperparameters) has a sweep plot to feed.
          this.summaries = this.hparams.length === 0 ? [] : await fetchSweep().catch(() => this.summaries);
          const fresh = await fetchBreakdowns(this.shownRuns().map((r) => r.run));
          for (const b of fresh) this.breakdowns.set(b.run, b);
          this.error = null;
        } catch (e) {
          this.error = e instanceof Error ? e.message : String(e);
        }
        this.schedule();
      } while (this.reloadAgain);
      this.loading = null;
    })();
    return this.loading;
  }

  private shownRuns(): RunInfo[] {
    const re = runFilterRegExp(this.settings.runFilter);
    return (this.runs ?? []).filter((r) => re === null || re.test(r.run));
  }

  private change(patch: Partial<Settings>): void {
    this.settings = { ...this.settings, ...patch };
    saveSettings(this.storage, this.settings);
    if (this.shownRuns().some((r) => !this.breakdowns.has(r.run))) void this.reload();
    this.schedule();
  }

  private toggle(key: string): void {
    const hidden = new Set(this.settings.hidden);
    if (!hidden.delete(key)) hidden.add(key);
    this.change({ hidden: [...hidden] });
  }

  private sort(column: SortColumn): void {
    const same = this.settings.sortColumn === column;
    this.change({ sortColumn: column, sortDescending: same ? !this.settings.sortDescending : column !== "term" });
  }

  setDark(dark: boolean): void {
    document.documentElement.classList.toggle("dark", dark);
    this.compare.themeChanged();
    this.schedule();
  }

  /** Batches every redraw request into one animation frame. */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private setStatus(...children: (Node | string)[]): void {
    this.status.replaceChildren(...children);
  }

  private emptyState(): HTMLElement {
    const box = document.createElement("div");
    box.className = "empty";
    const p = document.createElement("p");
    p.textContent =
      "No regloss data in this logdir yet. Add the callback to model.fit, train, then reload TensorBoard:";
    const code = document.createElement("code");
    code.textContent = SNIPPET;
    box.append(p, code);
    return box;
  }

  /** A new card for `run`, holding a Dynamics section whose bars take the card's colours. */
  private addCard(run: string): CardOfRun {
    const dynamics = new DynamicsSection((key) => card.colorOf(key));
    const card = new RunCard(
      (key) => this.toggle(key),
      (column) => this.sort(column),
      (focusRun) => this.change({ layout: "focus", focusRun }),
      dynamics,
    );
    card.el.dataset.run = run;
    const added = { card, dynamics };
    this.cards.set(run, added);
    this.nearViewport?.observe(card.el);
    return added;
  }

  /** Redraws everything from the current settings and data. Called once per frame at most. */
  draw(): void {
    performance.mark("regloss:render-start");
    const s = this.settings;
    this.controls.update(s);
    const loaded = this.shownRuns().filter((r) => this.breakdowns.has(r.run));
    // Focused: one run alone, the chosen one if shown, else the first.
    const focused = loaded.find((r) => r.run === s.focusRun) ?? loaded[0];
    const shown = s.layout === "focus" && focused ? [focused] : loaded;
    this.controls.setFocusRuns(
      loaded.map((r) => r.run),
      focused?.run ?? "",
    );
    this.grid.className = `runs layout-${s.layout}`;
    if (this.error !== null) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = `Could not load the loss composition: ${this.error}`;
      this.setStatus(p);
    } else if (this.runs === null) {
      this.setStatus("Loading…");
    } else if (this.runs.length === 0) {
      this.setStatus(this.emptyState());
    } else if (this.shownRuns().length === 0) {
      const p = document.createElement("p");
      p.className = "notice";
      p.textContent = `No run matches the filter /${s.runFilter}/ (${this.runs.length} runs have regloss data).`;
      this.setStatus(p);
    } else {
      this.setStatus();
    }

    // Cards first, so their width is known before the charts are built.
    const keep = new Set(shown.map((r) => r.run));
    for (const [run, { card }] of this.cards) {
      if (!keep.has(run)) {
        card.el.remove();
        this.nearViewport?.unobserve(card.el);
        this.cards.delete(run);
      }
    }
    const cards = shown.map((r) => {
      const { card } = this.cards.get(r.run) ?? this.addCard(r.run);
      this.grid.appendChild(card.el);
      return card;
    });
    // What a card asks the backend for (its decay plan, its findings), asked once it is drawn:
    // a sweep of 200 runs makes no 300 requests for cards nobody scrolled to.
    const sections = (i: number) => {
      const r = shown[i];
      const { card, dynamics } = this.cards.get(r.run)!;
      dynamics.setRun(r.run, r.dynamics);
      card.setUnverified(r.unverified);
      card.decayPlan.setRun(r.run, r.decayPlan);
      const steps = this.breakdowns.get(r.run)!.steps;
      card.trainingFindings.setRun(r.run, mayHaveFindings(r), steps[steps.length - 1] ?? -1);
    };
    // Reads after all writes above: one layout, whatever the number of cards.
    const width = Math.max(200, (cards[0]?.el.clientWidth ?? 480) - CARD_PADDING);
    // Only cards near the viewport are drawn now; the others when they scroll near
    // (a shared y scale needs every chart's domain, so then all are drawn).
    const ahead = window.innerHeight * DRAW_AHEAD;
    const sharedY = s.sharedY && s.mode !== "share";
    const breakdowns = shown.map((r) => this.breakdowns.get(r.run)!);
    const upToDate = breakdowns.map((b) => {
      const last = this.drawn.get(b.run);
      return last !== undefined && last.b === b && last.s === s && last.width === width;
    });
    const views: (RunView | null)[] = sharedY ? breakdowns.map((b) => buildRunView(b, s, width)) : [];
    if (sharedY) {
      shareYDomains(views.map((v) => v!.main));
      shareYDomains(views.map((v) => v!.decoupled));
    }
    this.stale.clear();
    for (const run of this.drawn.keys()) if (!keep.has(run)) this.drawn.delete(run);
    let drawnNow: RunCard | null = null;
    const undrawn: number[] = [];
    breakdowns.forEach((b, i) => {
      if (upToDate[i]) {
        sections(i);
        return;
      }
      // In order, each read after the cards before it are drawn: a drawn card is taller than an
      // undrawn one, so only the cards still near the viewport once those above have grown are drawn.
      let v = views[i] ?? null;
      if (!sharedY) {
        const rect = cards[i].el.getBoundingClientRect();
        v = rect.bottom >= -ahead && rect.top <= window.innerHeight + ahead ? buildRunView(b, s, width) : null;
      }
      if (v) {
        sections(i);
        cards[i].update(b, v, s, width);
        this.drawn.set(b.run, { b, s, width });
        drawnNow = cards[i];
      } else {
        undrawn.push(i);
        this.stale.add(b.run);
      }
    });
    // Written after every read above: one layout for all the undrawn cards, not one each.
    for (const i of undrawn) cards[i].pending(breakdowns[i]);
    // An undrawn card holds the place of a drawn one (as tall as the last drawn), so the page
    // scrolls as it will once they are all drawn, and a card comes near when it would. Read only
    // when some card waits: the read lays the page out before the frame would.
    if (drawnNow !== null && undrawn.length > 0) {
      this.grid.style.setProperty("--pending-height", `${(drawnNow as RunCard).el.offsetHeight}px`);
    }

    // The comparison and the sweep plot show every loaded run, also while one is focused:
    // clicking one sweep point after another is how a sweep is read.
    this.compare.update(
      loaded.map((r) => this.breakdowns.get(r.run)!),
      this.hparams,
      s.smoothing,
      this.summaries,
    );
    this.compare.setFocused(s.layout === "focus" && focused ? focused.run : null);
    if (this.reveal !== null) {
      this.cards.get(this.reveal)?.card.el.scrollIntoView?.({ block: "nearest" });
      this.reveal = null;
    }

    performance.clearMeasures("regloss:render");
    performance.measure("regloss:render", "regloss:render-start");
    performance.clearMarks("regloss:render-start");
  }
}
