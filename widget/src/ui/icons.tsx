// Inline stroke icons (no icon font, nothing to fetch). Decorative: hidden from assistive tech.
import type { JSX } from 'preact';

function Svg({ children }: { children: JSX.Element | JSX.Element[] }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export const ChatIcon = () => (
  <Svg>
    <path d="M21 12a8 8 0 0 1-11.8 7L4 20.5l1.5-4.7A8 8 0 1 1 21 12z" />
  </Svg>
);
export const CloseIcon = () => (
  <Svg>
    <path d="M6 6l12 12M18 6L6 18" />
  </Svg>
);
export const BackIcon = () => (
  <Svg>
    <path d="M15 18l-6-6 6-6" />
  </Svg>
);
export const SendIcon = () => (
  <Svg>
    <path d="M5 12h13M13 6l6 6-6 6" />
  </Svg>
);
export const CheckIcon = () => (
  <Svg>
    <path d="M5 12.5l4.5 4.5L19 7.5" />
  </Svg>
);
export const DoubleCheckIcon = () => (
  <Svg>
    <path d="M2.5 12.5L7 17l9.5-9.5M11.5 16l1 1L22 7.5" />
  </Svg>
);
export const ClockIcon = () => (
  <Svg>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5V12l3 2" />
  </Svg>
);
export const AlertIcon = () => (
  <Svg>
    <circle cx="12" cy="12" r="8.5" />
    <path d="M12 7.5v5M12 16.3v.2" />
  </Svg>
);
