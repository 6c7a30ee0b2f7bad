import logging
import tempfile
import zipfile
from pathlib import Path

from django.core.mail import get_connection

from campaigns.models import Campaign
from common.errors import ServiceError
from common.jobs import JobOutcome, Progress, job_handler
from common.models import Job
from presale.exports import booking_orders, booking_sheet_file_name, booking_sheet_write
from presale.services import booking_sheet_mail
from stores.models import Store

logger = logging.getLogger(__name__)

BOOKING_SHEETS = "presale.booking_sheets"


def _store_entry(store: Store) -> dict:
    return {"store_id": store.store_id, "name": store.name, "mailbox": store.mailbox}


@job_handler(BOOKING_SHEETS)
def booking_sheets_send(job: Job, progress: Progress) -> JobOutcome:
    """Write every store's booking sheet, mail each store its own, and keep all of them in
    one zip as the job's file, so operations can resend or print any of them."""
    campaign = Campaign.objects.filter(pk=job.params.get("campaign")).first()
    if campaign is None:
        raise ServiceError("找不到该活动，无法生成下账表。")
    stores = list(
        Store.objects.filter(pk__in=booking_orders(campaign).values("store_id")).order_by(
            "store_id"
        )
    )
    mailed, without_mailbox, failed = [], [], []
    zip_name = f"下账表_{campaign.code}.zip"
    with tempfile.TemporaryDirectory() as folder:
        zip_path = Path(folder) / "booking-sheets.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            connection = get_connection()
            for done, store in enumerate(stores, start=1):
                file_name = booking_sheet_file_name(campaign, store)
                sheet_path = Path(folder) / f"{store.store_id}.xlsx"
                booking_sheet_write(campaign, store, sheet_path)
                content = sheet_path.read_bytes()
                archive.writestr(file_name, content)
                sheet_path.unlink()
                if not store.mailbox:
                    without_mailbox.append(_store_entry(store))
                else:
                    try:
                        booking_sheet_mail(
                            campaign=campaign,
                            store=store,
                            file_name=file_name,
                            content=content,
                            connection=connection,
                        )
                    except OSError as error:
                        # One unreachable mailbox must not stop the other stores' sheets.
                        logger.warning("booking sheet to store %s failed: %s", store.pk, error)
                        failed.append({**_store_entry(store), "error": str(error)})
                    else:
                        mailed.append(_store_entry(store))
                progress(done, len(stores))
        message = f"已生成 {len(stores)} 家门店的下账表，已发送 {len(mailed)} 家"
        if without_mailbox:
            message += f"，{len(without_mailbox)} 家门店没有邮箱"
        if failed:
            message += f"，{len(failed)} 家发送失败"
        return JobOutcome(
            result={
                "message": message + "。",
                "file_name": zip_name,
                "campaign": campaign.code,
                "stores": len(stores),
                "mailed": mailed,
                "without_mailbox": without_mailbox,
                "failed": failed,
            },
            file_name=zip_name,
            file_content=zip_path.read_bytes(),
        )
