// Polls an API read while its view is shown: at once when shown, then every `everyMs`; a read still under way is
// cancelled by the next one and when the view is hidden.
export class Poller {
  private timer: number | undefined;
  private current: AbortController | null = null;

  constructor(private readonly everyMs: number, private readonly read: (signal: AbortSignal) => Promise<void>) {}

  setActive(active: boolean): void {
    window.clearInterval(this.timer);
    this.current?.abort();
    if (!active) return;
    void this.run();
    this.timer = window.setInterval(() => void this.run(), this.everyMs);
  }

  private async run(): Promise<void> {
    this.current?.abort();
    const current = (this.current = new AbortController());
    await this.read(current.signal);
  }
}
