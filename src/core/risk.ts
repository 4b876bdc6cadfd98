/** How much a verb can change a cluster. Drives policy defaults and how loudly a card warns. */
export const Risk = { Read: 'read', Change: 'change', Destructive: 'destructive' } as const;
export type Risk = (typeof Risk)[keyof typeof Risk];
