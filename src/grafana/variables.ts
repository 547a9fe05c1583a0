import { MODE_VARIABLE, NO_WINDOW, WINDOW_VARIABLE } from './sqlText.ts';

/**
 * The funnel definition as dashboard variables, with the API's meaning: `mode` any / ordered (each step no earlier
 * than the previous one), `window` none or a duration within which the whole chain must happen. Fixed options
 * (ISO 8601 durations, which both PostgreSQL's interval and the API's `window` read), no free text.
 */
const WINDOWS = [NO_WINDOW, 'PT5M', 'PT10M', 'PT30M', 'PT1H', 'PT2H', 'PT6H', 'P1D'];

function custom(name: string, label: string, description: string, values: string[]) {
  const [first] = values;
  return {
    type: 'custom' as const,
    name,
    label,
    description,
    query: values.join(','),
    current: { text: first!, value: first! },
    options: values.map((value, i) => ({ text: value, value, selected: i === 0 })),
    multi: false,
    includeAll: false,
    hide: 0 as const,
  };
}

export const funnelVariables = () => [
  custom(MODE_VARIABLE, 'Funnel mode', 'any: each step counts when recorded; ordered: each step also no earlier than the previous one', ['any', 'ordered']),
  custom(WINDOW_VARIABLE, 'Funnel window', 'none, or the time from the session start within which every step must happen', WINDOWS),
];
