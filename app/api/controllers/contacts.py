"""`/api/v1/contacts` and `/api/v1/contacts/labels` (seed §6 Contacts)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from app.api.controllers.deps import (
    ActorDep,
    PageNumber,
    PageSize,
    ServicesDep,
    provide_actor,
    provide_services,
)
from app.auth import Resource
from app.domain import Invalid, Page
from app.domain import conversations as c
from app.schemas.contacts import (
    AttachLabelBody,
    ContactUpdateBody,
    LabelCreateBody,
    LabelUpdateBody,
)

CONTACTS = {"resource": Resource.CONTACTS}
EXPORTS = {"resource": Resource.EXPORTS}
DEPS = {"services": Provide(provide_services), "actor": Provide(provide_actor)}


class LabelController(Controller):
    path = "/v1/contacts/labels"
    tags = ["contacts"]
    dependencies = DEPS

    @get("/", opt=CONTACTS)
    async def list_labels(self, services: ServicesDep, actor: ActorDep) -> list[c.Label]:
        return await services.labels.list(actor)

    @post("/", opt=CONTACTS)
    async def create_label(
        self, data: JSONBody[LabelCreateBody], services: ServicesDep, actor: ActorDep
    ) -> c.Label:
        return await services.labels.create(actor, data.name, data.color)

    @patch("/{label_id:str}", opt=CONTACTS)
    async def update_label(
        self,
        label_id: FromPath[str],
        data: JSONBody[LabelUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Label:
        return await services.labels.update(actor, label_id, data.name, data.color)

    @delete("/{label_id:str}", opt=CONTACTS, status_code=HTTP_204_NO_CONTENT)
    async def delete_label(
        self, label_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Delete a label; it disappears from every contact."""
        await services.labels.delete(actor, label_id)


class ContactController(Controller):
    path = "/v1/contacts"
    tags = ["contacts"]
    dependencies = DEPS

    @get("/", opt=CONTACTS)
    async def list_contacts(
        self,
        services: ServicesDep,
        actor: ActorDep,
        page: PageNumber = 1,
        page_size: PageSize = 50,
        label: Annotated[str | None, QueryParameter(max_length=36)] = None,
        blocked: Annotated[bool | None, QueryParameter()] = None,
        takeover: Annotated[bool | None, QueryParameter()] = None,
        vip: Annotated[bool | None, QueryParameter()] = None,
        search: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[c.Contact]:
        """Contacts, most recently active first; filter by label id, blocked, takeover, VIP,
        or a search over name, phone and JID."""
        return await services.contact_queries.list(
            actor,
            page=page,
            page_size=page_size,
            label=label,
            blocked=blocked,
            takeover=takeover,
            vip=vip,
            search=search,
        )

    @post("/import", opt=CONTACTS, status_code=HTTP_200_OK)
    async def import_contacts(
        self,
        request: Request[Any, Any, Any],
        services: ServicesDep,
        actor: ActorDep,
        dry_run: Annotated[bool, QueryParameter(name="dryRun")] = False,
        default_country: Annotated[
            str | None, QueryParameter(name="defaultCountry", min_length=2, max_length=2)
        ] = None,
    ) -> c.ContactImport:
        """Import contacts from CSV — the body as `text/csv`, or a multipart field `file`.
        A header row names the columns: a phone column (`phone`, `phone_number`, `number`,
        `mobile`, `whatsapp`), optionally `name`, `labels` (split on `;`, `|` or `,`),
        `notes`, `language`; any other column is a custom field. Numbers are normalised to
        E.164 (`defaultCountry=DE` reads national numbers like `0176 …`). `dryRun=true`
        only reports: what would be created or updated, and each rejected row with why.
        A known number updates its contact (labels are added, nothing is removed)."""
        if request.content_type[0] == RequestEncodingType.MULTI_PART:
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise Invalid("send the CSV as a multipart field named 'file'")
            data = await upload.read()
        else:
            data = await request.body()
        return await services.contact_import.run(
            actor, data, dry_run=dry_run, default_country=default_country
        )

    @get("/export", opt=CONTACTS, media_type="text/csv")
    async def export_contacts(self, services: ServicesDep, actor: ActorDep) -> Stream:
        """All contacts as CSV (streamed, UTF-8)."""
        return Stream(
            services.contact_queries.export_csv(actor),
            media_type="text/csv",  # Litestar adds "; charset=utf-8" (it was there twice)
            headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
        )

    @get("/{contact_id:str}", opt=CONTACTS)
    async def get_contact(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        return await services.contact_queries.get(actor, contact_id)

    @get("/{contact_id:str}/export", opt=EXPORTS, media_type="application/zip")
    async def export_contact(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> Stream:
        """Everything stored about the contact, as a zip (a GDPR data-subject access request;
        owners and admins): `tables/<table>.json` for the profile, labels, custom fields,
        conversations, messages, outbox, flow runs, broadcast recipients, audit entries and
        webhook deliveries about them, `media/` with their messages' files, and
        `manifest.json` (row counts, files). Streamed; audited as `contact.export`."""
        export = await services.contact_export.open(actor, contact_id)
        return Stream(
            export.chunks,
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
        )

    @patch("/{contact_id:str}", opt=CONTACTS)
    async def update_contact(
        self,
        contact_id: FromPath[str],
        data: JSONBody[ContactUpdateBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Contact:
        """Change the display name, notes, autoreply, approval mode, VIP, language or custom
        fields (a null custom field value removes it)."""
        changes = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not None and k != "custom_fields"
        }
        return await services.contacts.update(actor, contact_id, changes, data.custom_fields)

    @delete("/{contact_id:str}", opt=CONTACTS, status_code=HTTP_204_NO_CONTENT)
    async def delete_contact(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> None:
        """Erase the contact with its conversations, messages and media (GDPR)."""
        await services.contacts.delete(actor, contact_id)

    @post("/{contact_id:str}/block", opt=CONTACTS)
    async def block(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        """The bot ignores a blocked contact's messages (they are still stored)."""
        return await services.contacts.set_flag(actor, contact_id, "block")

    @post("/{contact_id:str}/unblock", opt=CONTACTS)
    async def unblock(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        return await services.contacts.set_flag(actor, contact_id, "unblock")

    @post("/{contact_id:str}/opt-out", opt=CONTACTS)
    async def opt_out(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        """Opt the contact out of broadcasts (as an opt-out word from them does)."""
        return await services.contacts.set_flag(actor, contact_id, "opt_out")

    @post("/{contact_id:str}/opt-in", opt=CONTACTS)
    async def opt_in(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        """Broadcasts reach the contact again (they asked for it)."""
        return await services.contacts.set_flag(actor, contact_id, "opt_in")

    @post("/{contact_id:str}/takeover", opt=CONTACTS)
    async def takeover(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        """A human handles this contact: the bot stays silent until release."""
        return await services.contacts.set_flag(actor, contact_id, "takeover")

    @post("/{contact_id:str}/release", opt=CONTACTS)
    async def release(
        self, contact_id: FromPath[str], services: ServicesDep, actor: ActorDep
    ) -> c.Contact:
        """Hand the contact back to the bot."""
        return await services.contacts.set_flag(actor, contact_id, "release")

    @post("/{contact_id:str}/labels", opt=CONTACTS)
    async def attach_label(
        self,
        contact_id: FromPath[str],
        data: JSONBody[AttachLabelBody],
        services: ServicesDep,
        actor: ActorDep,
    ) -> c.Contact:
        return await services.contacts.attach_label(actor, contact_id, data.label_id)

    @delete(
        "/{contact_id:str}/labels/{label_id:str}", opt=CONTACTS, status_code=HTTP_204_NO_CONTENT
    )
    async def detach_label(
        self,
        contact_id: FromPath[str],
        label_id: FromPath[str],
        services: ServicesDep,
        actor: ActorDep,
    ) -> None:
        await services.contacts.detach_label(actor, contact_id, label_id)
