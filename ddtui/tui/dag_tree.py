"""The DAG tree (left pane): DAGs grouped by tag or folder, latest run state, fuzzy filter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text, TextType
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.fuzzy import FuzzySearch
from textual.message import Message
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from ddtui.metastore import DagSummary
from ddtui.terminal_text import safe_text
from ddtui.tui.format import ID_WIDTH, badge_text, data_text, state_look

UNTAGGED = "(untagged)"
TOP_FOLDER = "(dags folder)"


@dataclass(frozen=True)
class DagLeaf:
    """What a DAG node carries: the DAG and the group it is listed under."""

    dag_id: str
    group: str


def group_dags(dags: list[DagSummary], by: str) -> dict[str, list[DagSummary]]:
    """Groups in display order; by tag a DAG is listed under each of its tags."""
    groups: dict[str, list[DagSummary]] = defaultdict(list)
    for dag in dags:
        if by == "folder":
            folder = str(PurePosixPath(dag.relative_fileloc or dag.fileloc or "").parent)
            groups[TOP_FOLDER if folder in ("", ".") else folder].append(dag)
        else:
            for tag in dag.tags or (UNTAGGED,):
                groups[tag].append(dag)
    ordered = sorted(groups, key=lambda name: (name in (UNTAGGED, TOP_FOLDER), name.lower()))
    return {name: groups[name] for name in ordered}


def fuzzy_match(query: str, candidate: str) -> tuple[float, Text]:
    """Score (0: no match) and the candidate, as shown (terminal-safe), with the matched
    letters underlined. The query matches what the user sees, control glyphs included."""
    shown = safe_text(candidate, ID_WIDTH)
    text = Text(shown)
    if not query:
        return 1.0, text
    score, offsets = _FUZZY.match(query, shown)
    for offset in offsets if score else ():
        text.stylize("bold underline", offset, offset + 1)
    return score, text


_FUZZY = FuzzySearch()


LabelKey = tuple[str | None, bool, bool, bool, str, str | None]


def label_key(dag: DagSummary, query: str, badge: str | None) -> LabelKey:
    """Everything `dag_label` shows (the DAG id aside): equal keys, equal labels."""
    state = dag.latest_run.state if dag.latest_run else None
    return (state, dag.latest_run is not None, dag.is_paused, dag.is_stale, query, badge)


def dag_label(dag: DagSummary, query: str = "", badge: str | None = None) -> Text:
    """`✓ titanic ok paused`: glyph and word for the latest run, then markers and the
    worst data-health badge of its tasks (a word; colour only adds to it)."""
    state = dag.latest_run.state if dag.latest_run else None
    look = state_look(state)
    name = fuzzy_match(query, dag.dag_id)[1]
    word = look.word if dag.latest_run else "no runs"
    label = Text.assemble((look.glyph, look.style), " ", name, " ", (word, look.style))
    if dag.is_paused:
        label.append(" paused", style="dim italic")
    if dag.is_stale:
        label.append(" stale", style="dim italic")
    if badge is not None:  # bracketed: "drift ok paused [drift]" reads as a badge
        label.append(" [")
        label.append_text(badge_text(badge))
        label.append("]")
    return label


class DagTree(Tree[DagLeaf | None]):
    """The tree itself; the pane around it owns the filter.

    Cheaper than Textual's Tree with thousands of one-line labels: nodes are added in a
    batch with one cache invalidation, and label widths are counted, not rendered.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, label: TextType, *, id: str | None = None) -> None:
        super().__init__(label, id=id)
        self._batching = False

    @contextmanager
    def adding_nodes(self) -> Iterator[None]:
        """Add many nodes at once: Tree invalidates its line cache (and asks for a layout)
        on every single add otherwise."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            self._invalidate()

    def _invalidate(self) -> None:
        if not self._batching:
            super()._invalidate()

    def process_label(self, label: TextType) -> Text:
        # Tree keeps a label's first line by splitting every label (twice per node added);
        # DAG labels are one line already.
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[DagLeaf | None]) -> int:
        # Tree renders each label (copy, style, assemble) just to measure it.
        label = node.label
        width = label.cell_len if isinstance(label, Text) else cell_len(label)
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return width


class DagPane(Vertical):
    """DAG tree with its filter box and its error line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    @dataclass
    class DagHighlighted(Message):
        """The cursor moved onto a DAG."""

        dag_id: str

    @dataclass
    class DagChosen(Message):
        """`enter` (or a click) chose a DAG."""

        dag_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.dags: list[DagSummary] = []
        self.grouping = "tag"
        self.filter_text = ""
        self._shown: list[tuple[str, str]] = []  # (group, dag_id) of the leaves, in order
        self.badges: dict[str, str] = {}  # the worst task badge of each DAG whose health is known
        self._by_id: dict[str, DagSummary] = {}
        # The leaves in display order, each DAG's leaves (one per tag), and what their
        # labels show now: a refresh or a badge relabels only the DAGs that changed.
        self._leaf_list: list[TreeNode[DagLeaf | None]] = []
        self._leaf_nodes: dict[str, list[TreeNode[DagLeaf | None]]] = {}
        self._label_keys: dict[str, LabelKey] = {}
        self._no_match_shown = False

    def compose(self) -> ComposeResult:
        box = Input(placeholder="/ filter (fuzzy), esc clears", id="dag-filter")
        box.compact = True
        yield box
        yield Static("", id="dag-message", classes="pane-message")
        tree: DagTree = DagTree("DAGs", id="dag-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    @property
    def dag_tree(self) -> DagTree:
        return self.query_one(DagTree)

    @property
    def selected_dag_id(self) -> str | None:
        node = self.dag_tree.cursor_node
        return node.data.dag_id if node is not None and node.data is not None else None

    # Data in ----------------------------------------------------------------------

    def show_dags(self, dags: list[DagSummary]) -> None:
        """Show a (new) DAG list, keeping the cursor on the same DAG and the scroll position."""
        self.dags = dags
        self._by_id = {dag.dag_id: dag for dag in dags}
        self.show_message("")
        self._rebuild()

    def show_message(self, text: str | Text) -> None:
        message = self.query_one("#dag-message", Static)
        message.update(data_text(text) if isinstance(text, str) else text)
        message.display = bool(text)
        self._no_match_shown = str(text).startswith("No DAG")

    def set_badge(self, dag_id: str, badge: str | None) -> None:
        """Show a DAG's rolled-up data-health badge (None: healthy or unknown)."""
        if self.badges.get(dag_id) == badge:
            return
        if badge is None:
            self.badges.pop(dag_id, None)
        else:
            self.badges[dag_id] = badge
        self._relabel(self.filter_text, [dag_id])

    def first_dag_id(self) -> str | None:
        leaves = self._leaf_list
        return leaves[0].data.dag_id if leaves and leaves[0].data is not None else None

    def select_dag(self, dag_id: str) -> bool:
        """Put the cursor on the DAG (clearing a filter that hides it)."""
        node = self._find(dag_id)
        if node is None and self.filter_text:
            self.query_one("#dag-filter", Input).value = ""
            self.filter_text = ""
            self._rebuild()
            node = self._find(dag_id)
        if node is None:
            return False
        self._move_to(node)
        return True

    def _move_to(self, node: TreeNode[DagLeaf | None]) -> None:
        """Move the cursor once the tree has laid out its lines (new nodes have none yet)."""

        def move() -> None:
            if node.data is not None and self._is_shown(node):
                self.dag_tree.move_cursor(node)
                self.dag_tree.scroll_to_node(node, animate=False)
                # The tree is silent when the line number did not change (a rebuild).
                self.post_message(self.DagHighlighted(node.data.dag_id))

        self.call_after_refresh(move)

    # Building ---------------------------------------------------------------------

    def _rebuild(self) -> None:
        tree = self.dag_tree
        query = self.filter_text
        leaves: list[tuple[str, str]] = []
        visible: dict[str, list[DagSummary]] = {}
        for group, members in group_dags(self.dags, self.grouping).items():
            kept = [d for d in members if fuzzy_match(query, d.dag_id)[0] > 0] if query else members
            if kept:
                visible[group] = kept
                leaves += [(group, d.dag_id) for d in kept]
        if leaves == self._shown and tree.root.children:
            self._relabel(query)
            return
        cursor = tree.cursor_node.data if tree.cursor_node is not None else None
        scroll_y = tree.scroll_y
        labels: dict[str, Text] = {}
        self._leaf_list, self._leaf_nodes, self._label_keys = [], defaultdict(list), {}
        with tree.adding_nodes():
            tree.clear()
            for group, members in visible.items():
                title = data_text(group, "bold", limit=ID_WIDTH)
                title.append(f" ({len(members)})")
                branch = tree.root.add(title, expand=True)
                for dag in members:
                    label = labels.get(dag.dag_id)
                    if label is None:  # a DAG listed under several tags: one label for all
                        badge = self.badges.get(dag.dag_id)
                        label = labels[dag.dag_id] = dag_label(dag, query, badge)
                        self._label_keys[dag.dag_id] = label_key(dag, query, badge)
                    leaf = branch.add_leaf(label, data=DagLeaf(dag.dag_id, group))
                    self._leaf_list.append(leaf)
                    self._leaf_nodes[dag.dag_id].append(leaf)
        self._shown = leaves
        if isinstance(cursor, DagLeaf):
            node = self._find(cursor.dag_id, cursor.group)
            if node is not None:
                self._move_to(node)
        self.call_after_refresh(tree.scroll_to, y=scroll_y, animate=False)
        if not self.dags:
            self.show_message("No DAGs in this metastore yet.")
        elif not leaves:
            self.show_message(f"No DAG matches {self.filter_text!r}; esc clears the filter.")
        elif self._no_match_shown:
            self.show_message("")  # the filter matches again

    def _relabel(self, query: str, dag_ids: Iterable[str] | None = None) -> None:
        """New labels for the DAGs (all shown ones by default) whose label would change."""
        for dag_id in self._leaf_nodes if dag_ids is None else dag_ids:
            dag, nodes = self._by_id.get(dag_id), self._leaf_nodes.get(dag_id)
            if dag is None or not nodes:
                continue
            badge = self.badges.get(dag_id)
            key = label_key(dag, query, badge)
            if self._label_keys.get(dag_id) == key:
                continue
            self._label_keys[dag_id] = key
            label = dag_label(dag, query, badge)
            for node in nodes:
                node.set_label(label)

    def _leaves(self) -> list[TreeNode[DagLeaf | None]]:
        return list(self._leaf_list)

    def _is_shown(self, node: TreeNode[DagLeaf | None]) -> bool:
        """Still in the tree (a rebuild replaces every node)."""
        if node.data is None:
            return False
        return any(shown is node for shown in self._leaf_nodes.get(node.data.dag_id, ()))

    def _find(self, dag_id: str, group: str | None = None) -> TreeNode[DagLeaf | None] | None:
        matches = self._leaf_nodes.get(dag_id, [])
        preferred = [n for n in matches if n.data is not None and n.data.group == group]
        found = preferred or matches
        return found[0] if found else None

    # Events -----------------------------------------------------------------------

    @on(Tree.NodeHighlighted, "#dag-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[DagLeaf | None]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.DagHighlighted(event.node.data.dag_id))

    @on(Tree.NodeSelected, "#dag-tree")
    def _selected(self, event: Tree.NodeSelected[DagLeaf | None]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.DagChosen(event.node.data.dag_id))

    @on(Input.Changed, "#dag-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip()
        self._rebuild()
        leaves = self._leaf_list
        if self.filter_text and leaves:
            self._move_to(leaves[0])

    @on(Input.Submitted, "#dag-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dag_tree.focus()
        node = self.dag_tree.cursor_node
        if node is not None and node.data is not None:
            self.post_message(self.DagChosen(node.data.dag_id))

    # Actions ----------------------------------------------------------------------

    def action_start_filter(self) -> None:
        box = self.query_one("#dag-filter", Input)
        box.add_class("-active")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#dag-filter", Input)
        was_filtering = bool(box.value) or box.has_class("-active")
        box.value = ""
        box.remove_class("-active")
        self.filter_text = ""
        self._rebuild()
        if was_filtering:
            self.dag_tree.focus()
            dag_id = self.selected_dag_id
            if dag_id:
                self.select_dag(dag_id)

    def action_toggle_grouping(self) -> None:
        self.grouping = "folder" if self.grouping == "tag" else "tag"
        self._shown = []
        self._rebuild()
        self.notify(f"DAGs grouped by {self.grouping}", timeout=2)
