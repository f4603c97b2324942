/** A payment as the caller loaded it (the API's payment card): what confirming and cancelling it decide by. */
export interface LoadedPayment {
  id: number;
  number: string;
  type: string;
  status: string;
  merged: boolean;
  orderId: number | null;
  /** The orders a merged payment pays for (empty for any other payment). */
  mergedOrderIds: number[];
}
