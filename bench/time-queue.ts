/** A binary min-heap on `at`: what is scheduled, earliest first. */
export class TimeQueue<Item extends { at: number }> {
  private heap: Item[] = [];
  get size() {
    return this.heap.length;
  }
  peek(): Item {
    return this.heap[0];
  }
  push(item: Item): void {
    const heap = this.heap;
    let i = heap.push(item) - 1;
    while (i > 0 && heap[(i - 1) >> 1].at > heap[i].at) {
      [heap[i], heap[(i - 1) >> 1]] = [heap[(i - 1) >> 1], heap[i]];
      i = (i - 1) >> 1;
    }
  }
  pop(): Item {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      let smallest = i;
      for (const child of [2 * i + 1, 2 * i + 2])
        if (child < heap.length && heap[child].at < heap[smallest].at) smallest = child;
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
      i = smallest;
    }
  }
}
