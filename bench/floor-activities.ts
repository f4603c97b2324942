/**
 * The floor's activities do nothing: what is left of an order's time in the floor is Temporal itself
 * (scheduling, history, workflow tasks, polling) with the same shape as the purchase scenario.
 */
export const floorActivities = {
  async floorActivity(): Promise<null> {
    return null;
  },
  async floorLocalActivity(): Promise<null> {
    return null;
  },
};
export type FloorActivities = typeof floorActivities;
