"""The Textual app. Import `DdtuiApp` from `ddtui.tui.app` (this package stays light)."""
