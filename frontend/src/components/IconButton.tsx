// IconButton: an icon-only button named by its tooltip (the editors' undo/redo, the campaign
// toolbar).
import { Button, type MantineSize, Tooltip } from "@mantine/core";
import type { ReactNode } from "react";

export function IconButton(p: {
  label: string;
  icon: ReactNode;
  onClick: () => void;
  disabled?: boolean;
  size?: MantineSize;
}) {
  return (
    <Tooltip label={p.label}>
      <Button
        variant="default"
        size={p.size ?? "xs"}
        aria-label={p.label}
        disabled={p.disabled}
        onClick={p.onClick}
      >
        {p.icon}
      </Button>
    </Tooltip>
  );
}
