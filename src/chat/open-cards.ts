/** A card whose request had not ended when it was last shown. */
export interface OpenCard {
  requestId: string;
  channelId: string;
  messageTs: string;
  /** The command as typed, e.g. `/k8s drain node02`. */
  command: string;
  userId: string;
  /** The Kubernetes cluster the request is for: its workers must have noticed a loss before the card says so. */
  cluster: string;
  /** The state it showed, e.g. `running`. */
  state: string;
}

/**
 * This bot's memory of the cards it showed whose requests had not ended. Never an authority:
 * Redis is. It exists for one case only, Redis coming back empty, when the requests these cards
 * speak for are gone from Redis and only this memory can still tell their owners so.
 */
export class OpenCards {
  private readonly cards = new Map<string, OpenCard>();

  /** Records what a card showed; a card of an ended request is forgotten. */
  shown(card: OpenCard, ended: boolean): void {
    if (ended) this.cards.delete(card.requestId);
    else this.cards.set(card.requestId, card);
  }

  forget(requestId: string): void {
    this.cards.delete(requestId);
  }

  list(): OpenCard[] {
    return [...this.cards.values()];
  }
}
