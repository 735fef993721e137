/** How a metric's values are drawn and read: numbers on a scale, or yes/no. Both pages chart metrics by kind. */
export type MetricKind = 'number' | 'boolean';
