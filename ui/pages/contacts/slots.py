"""Vue templates for the contact table's cells and its card layout on phones (Quasar grid
mode below 600 px). Values reach them as text interpolation only — never as HTML."""

from __future__ import annotations

AVATAR = """
<q-avatar size="32px" color="primary" text-color="white">
  <img v-if="props.row.avatar" :src="props.row.avatar">
  <span v-else style="font-size:0.8em">{{ props.row.initials }}</span>
</q-avatar>
"""

LINK = """
<a :href="'/dashboard/contacts/' + props.row.id" data-contact-link
   class="row no-wrap items-center q-gutter-x-sm text-grey-10" style="text-decoration:none">
  AVATAR<span class="text-weight-medium ellipsis">{{ props.row.name }}</span>
</a>
""".replace("AVATAR", AVATAR)

BADGES = """
<div class="row q-gutter-xs">
  <q-badge v-for="l in props.row.labels" :key="l.name" :style="{background: l.color}"
           text-color="white" :label="l.name" />
  <q-badge v-for="s in props.row.status" :key="s.text" outline :color="s.color" :label="s.text" />
</div>
"""

NAME_CELL = f'<q-td :props="props">{LINK}</q-td>'

LABELS_CELL = """
<q-td :props="props"><div class="row q-gutter-xs">
  <q-badge v-for="l in props.row.labels" :key="l.name" :style="{background: l.color}"
           text-color="white" :label="l.name" />
</div></q-td>
"""

STATUS_CELL = """
<q-td :props="props"><div class="row q-gutter-xs">
  <q-badge v-for="s in props.row.status" :key="s.text" outline :color="s.color" :label="s.text" />
</div></q-td>
"""

GRID_ITEM = f"""
<div class="q-pa-xs col-12">
  <q-card flat bordered :class="props.selected ? 'bg-green-1' : ''">
    <q-card-section class="row no-wrap items-center q-gutter-x-sm q-py-sm">
      <q-checkbox dense v-model="props.selected" />
      <div class="col" style="min-width:0">
        {LINK}
        <div class="text-caption text-grey-7 q-mt-xs">
          {{{{ props.row.phone }}}} · {{{{ props.row.last }}}}
        </div>
        {BADGES}
      </div>
    </q-card-section>
  </q-card>
</div>
"""
