"""Demo casebook: the cases of the story, retold for みちのく電力 (a fictional retailer) and
みちのく電力ネットワーク (its fictional grid company). Idempotent: a case that exists is left alone.
"""

import datetime as dt

from wagtail.search import index

from portal.blocks import Audience
from portal.models import HomePage, QAPage, RulePage

from .models import CaseDepartment, CaseIndexPage, CaseRuleLink, CaseStudyPage, CauseItem, Countermeasure, Lesson

OPP, MOT, RAT = "opportunity", "motivation", "rationalisation"
DONE, DOING, PLANNED = Countermeasure.Status.DONE, Countermeasure.Status.IN_PROGRESS, Countermeasure.Status.PLANNED

# Rule and Q&A pages are written by portal/demo.py; each concept lists the slugs it may have.
RULE_SLUGS = {
    "confidential": ["confidential-information"],
    "terminals": ["terminals"],
    "buildings": ["shared-buildings"],
    "transfers": ["transfers"],
    "contractors": ["contractors-and-temp-staff"],
    "switching": ["switching"],
    "disaster": ["disaster-response"],
}
QA_SLUGS = {
    "viewing": ["viewing-and-terminals"],
    "switching": ["switching-questions"],
    "terminals": ["viewing-and-terminals"],
    "transfers": ["transfers-and-ids"],
    "contractors": ["contractors-and-temps"],
}

COMMON_MEASURES = [
    ("みちのく電力ネットワークと建物を共用する場合の留意事項をまとめ、全事業所に周知した", DONE, dt.date(2023, 3, 31)),
    ("PC端末の利用開始・利用終了時の取扱いルールを明文化し、周知した", DONE, dt.date(2023, 2, 28)),
    ("当社に置かれていたNW設定端末をすべて小売設定に切り替えた", DONE, dt.date(2023, 1, 31)),
    ("営業オンラインの認証を端末単位からIDカード（個人）単位に改めた", DONE, dt.date(2023, 10, 31)),
    ("行為規制に焦点を当てた臨時の業務診断を全事業所で実施した", DONE, dt.date(2023, 3, 31)),
    ("内部監査の定例項目に、非公開情報への照会・閲覧の適正性を加えた", DONE, dt.date(2024, 3, 31)),
    ("共用している業務システムを物理的に分割し、共同利用を解消する", PLANNED, dt.date(2029, 1, 31)),
]

CASES = [
    {
        "slug": "hachinohe-shared-counter",
        "title": "八戸営業所：共用窓口のNW設定端末で新電力の顧客情報を閲覧",
        "summary": (
            "販売部門とネットワーク部門の事業所を分けた際、共用の窓口にネットワーク会社用の端末が残り、"
            "営業所の社員がスイッチング手続きのたびに新電力のお客さまの契約情報を確認していた事例です。"
        ),
        "period": (dt.date(2018, 7, 1), dt.date(2023, 1, 4)),
        "units": "八戸営業所（営業窓口）",
        "people": None,
        "records": None,
        "departments": [Audience.SALES, Audience.MANAGER],
        "what": [
            "2018年7月、販売部門とネットワーク部門の事業所を分離した際、八戸営業所ではみちのく電力と"
            "みちのく電力ネットワークが窓口を共用する形になりました。その窓口には、ネットワーク会社が"
            "新電力の顧客情報まで表示できる「NW設定端末」を2台設置していました。",
            "営業所の一部の社員は、新電力から当社への切り替え（スイッチング）や、前の入居者が新電力と"
            "契約していた住所での新規申込みを受け付ける際に、そのうち1台で契約容量・契約名義・"
            "深夜機器の設備情報などを確認していました。",
            "これらの情報はネットワーク会社へ照会すれば正規に確認できるものでしたが、照会より早いという"
            "理由で端末を使っていました。営業への利用や社外への漏えいは確認されていません。",
        ],
        "rules": [
            (
                "confidential",
                "ネットワーク会社が持つ新電力の顧客情報は、小売部門が見てはならない非公開情報です。"
                "営業に使ったかどうかに関係なく、閲覧したこと自体が行為規制に反します。",
            ),
            (
                "buildings",
                "建物や窓口を共用する場合の使い方を定めておらず、ネットワーク会社の端末に"
                "小売の社員が触れられる状態を放置していました。",
            ),
            (
                "switching",
                "契約容量などはネットワーク会社への正規の照会で確認すべきところ、端末で直接確認していました。",
            ),
        ],
        "causes": [
            (OPP, "ネットワーク会社と窓口を共用する場合の利用ルールが明文化されていなかった"),
            (OPP, "認証が端末の種類によるため、NW設定端末なら小売社員のIDカードでも新電力の顧客情報が表示された"),
            (OPP, "業務診断に行為規制の項目がなく、窓口の端末設定や共用フロアの使い方が点検されていなかった"),
            (OPP, "内部監査の項目に、ネットワーク会社への照会の適正性が含まれていなかった"),
            (MOT, "ネットワーク会社への照会手続きの一部が煩雑で、回答までに時間がかかった"),
            (MOT, "窓口のお客さまから、その場での早い回答を求められた"),
            (RAT, "営業活動に使わなければ見ても問題ないと誤解していた"),
            (RAT, "自分の窓口業務と行為規制の関係を意識していなかった"),
            (RAT, "「気づく・話す・直す」が実践されず、おかしいと感じても誰も声を上げなかった"),
        ],
        "measures": COMMON_MEASURES
        + [("ネットワーク会社への照会フローを見直し、窓口で待たせない手順にする", DOING, dt.date(2026, 3, 31))],
        "lessons": [
            (
                Audience.SALES,
                "窓口の端末で新電力のお客さまの情報が見えてしまったら、それ以上操作せずに"
                "上司と行為規制の照会窓口に知らせてください。急ぎの確認でも、正規の照会ルートを使います。",
            ),
            (
                Audience.MANAGER,
                "事業所の分離や移転、レイアウト変更のときは、どの端末が誰の設定なのかを必ず"
                "確かめてください。共用の窓口には小売設定の端末だけを置きます。",
            ),
        ],
        "qa": ["viewing", "switching", "terminals"],
    },
    {
        "slug": "iwate-sanriku-sendai-kita-temp-terminals",
        "title": "岩手三陸営業所・仙台北営業所：派遣社員用の新しい端末がNW設定だった",
        "summary": (
            "派遣社員のために新しく置いた端末がネットワーク会社の設定のまま配備され、一方の営業所では"
            "承知のうえで、もう一方では派遣社員が気づかないまま、新電力の顧客情報が閲覧されていた事例です。"
        ),
        "period": (dt.date(2022, 9, 12), dt.date(2023, 1, 6)),
        "units": "岩手三陸営業所、仙台北営業所",
        "people": None,
        "records": None,
        "departments": [Audience.SALES, Audience.TEMP, Audience.MANAGER],
        "what": [
            "2022年9月以降、岩手三陸営業所と仙台北営業所で派遣社員用の端末を新しく設置した際、"
            "その端末がNW設定で配備され、新電力の顧客情報を閲覧できる状態になっていました"
            "（仙台北営業所は2022年12月15日から）。",
            "岩手三陸営業所では、NW設定端末であることを知りながら、スイッチングなどの申込みを処理する"
            "際に契約容量などを確認していました。",
            "仙台北営業所では、派遣社員1名が業務に必要な顧客リストを確認している最中に、端末の設定のせいで"
            "意図せず新電力の顧客情報を目にしていました。",
        ],
        "rules": [
            (
                "confidential",
                "新電力の顧客情報は小売部門が閲覧してはならない情報です。意図せず表示された場合も、閲覧にあたります。",
            ),
            ("terminals", "端末を新しく設置するときに、その設定（小売かNWか）を確かめるルールがありませんでした。"),
        ],
        "causes": [
            (OPP, "新しく設置した派遣社員用の端末が、NW設定のまま配備された"),
            (OPP, "端末の利用開始時に、設定を確認する手順が決まっていなかった"),
            (OPP, "認証が端末の種類によるため、誰がログインしても新電力の顧客情報が表示された"),
            (MOT, "照会手続きより端末で確認するほうが早かった（岩手三陸営業所）"),
            (MOT, "申込みを早く処理してほしいというお客さまの要望に応えようとした"),
            (RAT, "八戸営業所と同じく、営業に使わなければ問題ないと考えていた"),
            (RAT, "派遣社員に行為規制の説明が届いておらず、画面に出る情報は見てよいものと受け止めていた"),
        ],
        "measures": [
            ("当社に置かれていたNW設定端末をすべて小売設定に切り替えた", DONE, dt.date(2023, 1, 31)),
            ("PC端末の利用開始・利用終了時の取扱いルールを明文化し、周知した", DONE, dt.date(2023, 2, 28)),
            ("派遣社員・委託先社員を含む全員に、行為規制の研修を実施した", DONE, dt.date(2023, 3, 31)),
            ("営業オンラインの認証を端末単位からIDカード（個人）単位に改めた", DONE, dt.date(2023, 10, 31)),
            ("派遣社員の受け入れ時に、行為規制の説明と誓約を行う手順を設けた", DONE, dt.date(2023, 6, 30)),
        ],
        "lessons": [
            (
                Audience.TEMP,
                "画面に表示されたからといって、見てよい情報とは限りません。新電力のお客さまの"
                "情報が出てきたら、その場で操作をやめ、上司に伝えてください。",
            ),
            (
                Audience.SALES,
                "端末を受け取ったら、小売設定であることを確認してから使い始めます。"
                "わからなければ照会窓口に聞いてください。",
            ),
            (
                Audience.MANAGER,
                "新しく端末を置く、人を受け入れるといった場面こそ確認の機会です。"
                "設置した端末の設定と、派遣社員への説明の両方を確かめてください。",
            ),
        ],
        "qa": ["terminals", "contractors", "viewing"],
    },
    {
        "slug": "customer-centre-case-1-training-room",
        "title": "カスタマーセンター事例（1）：研修室の端末で大量のスイッチングを処理",
        "summary": (
            "委託先の研修室に置かれていたNW設定端末を、カスタマーセンターの社員1名が使い、"
            "新電力の事業撤退で殺到したスイッチング申込みの処理中に多数の顧客情報を閲覧した事例です。"
        ),
        "period": (dt.date(2022, 4, 1), dt.date(2022, 12, 31)),
        "units": "カスタマーセンター（委託先用研修室）",
        "people": 1,
        "records": 27578,
        "departments": [Audience.CALL_CENTRE],
        "what": [
            "2017年8月、販売部門とネットワーク部門がそれぞれ電話受付を委託している会社のために研修室が"
            "設けられ、ネットワーク部門がそこにNW設定端末を配置しました。",
            "ある新電力が事業から撤退し、当社へのスイッチング申込みが大量に届いた時期に、カスタマー"
            "センターの社員1名がこの研修室の端末を起動し、法人8社分26,885件と個人693件の新電力の"
            "顧客情報（契約名義など）を閲覧しました。",
        ],
        "rules": [
            ("confidential", "処理の件数が多くても、新電力の顧客情報を小売側が閲覧してよい理由にはなりません。"),
            ("terminals", "自分の部門に割り当てられていない端末を使って業務をしていました。"),
        ],
        "causes": [
            (OPP, "委託先用の研修室に、新電力の顧客情報を表示できるNW設定端末が置かれていた"),
            (OPP, "研修室の端末の設定や使われ方が、業務診断で点検されていなかった"),
            (MOT, "新電力の事業撤退で、スイッチング申込みが一度に大量に届いた"),
            (MOT, "照会より端末で確認するほうが、大量の申込みを早く片づけられた"),
            (RAT, "営業活動に使うわけではないので問題ないと考えていた"),
            (RAT, "担当業務と行為規制との関係を理解していなかった"),
        ],
        "measures": [
            ("研修室を含むカスタマーセンター内の端末をすべて点検し、小売設定に切り替えた", DONE, dt.date(2023, 1, 31)),
            ("大量申込みが発生したときの応援体制と照会手順を定めた", DONE, dt.date(2023, 9, 29)),
            ("カスタマーセンター向けの部門別研修を実施した", DONE, dt.date(2023, 6, 30)),
            ("営業オンラインの認証を端末単位からIDカード（個人）単位に改めた", DONE, dt.date(2023, 10, 31)),
        ],
        "lessons": [
            (
                Audience.CALL_CENTRE,
                "どれだけ忙しくても、使ってよい端末と見てよい情報は変わりません。"
                "処理が追いつかないときは、端末を探すのではなく上司に応援を求めてください。",
            ),
            (
                Audience.MANAGER,
                "申込みが急増したときこそ、現場が近道を探していないかを確かめ、人員や手順で支えてください。",
            ),
        ],
        "qa": ["switching", "terminals"],
    },
    {
        "slug": "customer-centre-case-2-moving-season",
        "title": "カスタマーセンター事例（2）：引越し繁忙期の応援で意図せず閲覧",
        "summary": (
            "引越しシーズンの応援で臨時の執務室として使った研修室のNW設定端末や、執務室内の非常災害用端末で、"
            "カスタマーセンターの社員が新電力の顧客情報を閲覧していた事例です。"
        ),
        "period": (dt.date(2016, 4, 1), dt.date(2023, 1, 31)),
        "units": "カスタマーセンター（研修室、非常災害用受付端末）",
        "people": None,
        "records": None,
        "departments": [Audience.CALL_CENTRE],
        "what": [
            "毎年春の引越しシーズンは電気の使用申込みが集中します。応援に入ったカスタマーセンターの社員は、"
            "臨時の執務室として使った研修室のNW設定端末で契約状況の確認などを行い、意図しないまま新電力の"
            "顧客情報を目にしていました。",
            "また、スイッチング業務が立て込んだ際の応援では、執務室に置かれていた非常災害用の受付端末でも"
            "新電力の顧客情報が閲覧されていました。",
        ],
        "rules": [
            ("confidential", "意図しない閲覧であっても、見てはならない情報を見た状態を続けたことが問題です。"),
            ("terminals", "臨時の執務室に置かれていたNW設定端末を、そのまま業務に使っていました。"),
            ("disaster", "非常災害用の受付端末を、災害対応ではない平常の繁忙対応に使っていました。"),
        ],
        "causes": [
            (OPP, "繁忙期の臨時執務室として研修室を使い、そこにあったNW設定端末がそのまま使われた"),
            (OPP, "非常災害用の受付端末が執務室内にあり、新電力の顧客情報を表示できた"),
            (OPP, "カスタマーセンターの端末で新電力の顧客情報を見られないようにする配慮が足りなかった"),
            (MOT, "スイッチング業務が立て込み、早く処理することが求められた"),
            (RAT, "引越しシーズンの繁忙への対応を何より優先した"),
            (RAT, "見えてしまったことを誰も報告・相談せず、「気づく・話す・直す」が働かなかった"),
        ],
        "measures": [
            ("非常災害用端末の保管場所と使用条件を定め、平常時は使えないようにした", DONE, dt.date(2023, 3, 31)),
            ("臨時執務室を設けるときの端末確認手順を定めた", DONE, dt.date(2023, 2, 28)),
            ("行為規制の照会窓口と企業倫理相談窓口を案内し、相談を呼びかけた", DONE, dt.date(2023, 3, 31)),
        ],
        "lessons": [
            (
                Audience.CALL_CENTRE,
                "応援で慣れない部屋や端末を使うときは、使い始める前に設定を確認してください。"
                "見えてはいけない情報が見えたら、すぐに報告することが次の事故を防ぎます。",
            ),
            (
                Audience.MANAGER,
                "繁忙期の応援体制を組むときは、場所と端末も一緒に準備してください。"
                "非常用の設備は、非常時以外に使わせないでください。",
            ),
        ],
        "qa": ["viewing", "terminals"],
    },
    {
        "slug": "customer-centre-case-3-contractors",
        "title": "カスタマーセンター事例（3）：委託先2社75名がNW設定端末を使用",
        "summary": (
            "繁忙期に短期で業務を委託した2社の社員75名が、研修室などのNW設定端末を使って新電力の"
            "お客さまからの問い合わせやスイッチング業務を行い、合計9,402件の顧客情報を閲覧していた事例です。"
        ),
        "period": (dt.date(2019, 9, 1), dt.date(2023, 1, 31)),
        "units": "カスタマーセンターの委託先2社",
        "people": 75,
        "records": 9402,
        "departments": [Audience.CALL_CENTRE, Audience.CONTRACTOR],
        "what": [
            "カスタマーセンターが業務を委託している会社に個別に聞き取りをしたところ、繁忙時の短期委託で、"
            "2社の社員合わせて75名が研修室などに置かれたNW設定端末を使っていたことがわかりました。",
            "新電力のお客さまからの問い合わせへの対応やスイッチング業務の中で、合計9,402件の新電力の"
            "顧客情報が閲覧されていました。",
        ],
        "rules": [
            (
                "contractors",
                "委託先の社員にも、当社の社員と同じ行為規制が及びます。"
                "委託元は、委託先が規制を守れる環境と説明を用意しなければなりません。",
            ),
            ("confidential", "委託先の社員が閲覧した場合も、当社による非公開情報の閲覧にあたります。"),
        ],
        "causes": [
            (OPP, "委託先の社員が、研修室などのNW設定端末を自由に使える状態だった"),
            (OPP, "短期委託の業務手順に、使う端末の指定や確認がなかった"),
            (OPP, "委託先への行為規制の説明と遵守状況の確認が不十分だった"),
            (MOT, "新電力のお客さまからの問い合わせやスイッチングに、すぐ答える必要があった"),
            (RAT, "委託先の社員は、用意された端末で見える情報は業務に使ってよいと考えていた"),
        ],
        "measures": [
            ("委託契約に行為規制の遵守と端末の指定を明記した", DONE, dt.date(2023, 4, 1)),
            ("委託先社員向けの行為規制研修とeラーニングを始めた", DONE, dt.date(2023, 6, 30)),
            ("委託先への遵守状況の定期確認を始めた", DOING, dt.date(2026, 12, 25)),
            ("当社に置かれていたNW設定端末をすべて小売設定に切り替えた", DONE, dt.date(2023, 1, 31)),
        ],
        "lessons": [
            (
                Audience.CONTRACTOR,
                "委託先の社員にも行為規制は適用されます。新電力のお客さまの情報は、"
                "業務の途中で見えてしまっても使わず、委託元の担当者に知らせてください。",
            ),
            (Audience.CALL_CENTRE, "委託先の方と一緒に働くときは、使う端末と見てよい情報を最初に伝えてください。"),
            (
                Audience.MANAGER,
                "委託先に任せた業務でも、規制を守る責任は当社にあります。契約、研修、点検の三つで確かめてください。",
            ),
        ],
        "qa": ["contractors", "switching"],
    },
    {
        "slug": "transferee-id-record-statistics-system",
        "title": "異動前のID・パスワードで記録統計システムを閲覧（6名）",
        "summary": (
            "みちのく電力ネットワークから異動してきた社員6名が、異動前のID・パスワードを使い続け、"
            "ネットワーク会社の記録統計システムで発電実績や給電記録を閲覧していた事例です。"
        ),
        "period": (dt.date(2023, 3, 1), dt.date(2023, 4, 30)),
        "units": "本店の複数部門（ネットワーク会社からの異動者）",
        "people": 6,
        "records": None,
        "departments": [Audience.TRANSFEREE, Audience.MANAGER],
        "what": [
            "みちのく電力ネットワークの記録統計システムは、需要や発電の実績データから記録資料を作り、"
            "ネットワーク会社の利用者に提供するシステムです。",
            "ネットワーク会社に在籍していた当時に正規に受け取ったID・パスワードが、当社へ異動した後も"
            "変更されておらず、6名がそれを使って発電実績や給電記録などを閲覧していました。",
            "自社システムでデータが欠けたときに念のため連携先の状況を確かめた、ネットワーク会社に照会するより"
            "早かった、といった理由が挙げられています。（期間欄は、事案が判明し調査した時期を示しています。）",
        ],
        "rules": [
            (
                "transfers",
                "異動したら、前の職場の業務システムは使えません。IDが有効なままでも、"
                "ログインしてよいことにはなりません。",
            ),
            ("confidential", "ネットワーク会社のシステムの情報は、小売側の社員には非公開の情報です。"),
        ],
        "causes": [
            (OPP, "異動後も、ネットワーク会社在籍時のID・パスワードが変更されず有効なままだった"),
            (OPP, "異動者のPCに、前の職場のID・パスワードが保存されたままだった"),
            (OPP, "異動時に、使えなくなるシステムを本人と確認する手順がなかった"),
            (MOT, "自社システムでデータが欠け、連携先の状況を急いで確かめたかった"),
            (MOT, "ネットワーク会社に照会するより、自分で見るほうが早かった"),
            (RAT, "前の職場で正当に受け取ったIDなので、使っても問題ないと考えた"),
        ],
        "measures": [
            (
                "異動の時期にID・パスワードを推測できないものへ変更するよう、ネットワーク会社に依頼した",
                DONE,
                dt.date(2023, 4, 28),
            ),
            (
                "異動時に、所属長が異動者と使用できなくなるシステムを確認し、その後も遵守を確かめる手順を設けた",
                DONE,
                dt.date(2023, 5, 1),
            ),
            ("異動者がPCに保存したID・パスワードを削除し、所属長が確認する手順を設けた", DONE, dt.date(2023, 5, 1)),
            ("グループ行動指針の理解と企業倫理・法令遵守の意識を改めて徹底した", DONE, dt.date(2023, 6, 30)),
        ],
        "lessons": [
            (
                Audience.TRANSFEREE,
                "異動したら、前の職場のシステムにはログインしません。保存したIDやパスワードは"
                "削除し、所属長に確認してもらってください。",
            ),
            (
                Audience.MANAGER,
                "ネットワーク会社から人を迎えたら、使えなくなるシステムを一緒に確認し、"
                "保存されたIDが消えたことを確かめてください。",
            ),
        ],
        "qa": ["transfers"],
    },
    {
        "slug": "transferee-id-grid-information-intranet",
        "title": "異動前のID・パスワードで系統情報イントラネットを閲覧（14名）",
        "summary": (
            "ネットワーク会社から異動してきた社員14名が、異動前のID・パスワードで系統情報イントラネットに"
            "ログインし、事故速報や潮流図などを閲覧していた事例です。"
        ),
        "period": (dt.date(2023, 3, 1), dt.date(2023, 4, 30)),
        "units": "本店の複数部門（ネットワーク会社からの異動者）",
        "people": 14,
        "records": None,
        "departments": [Audience.TRANSFEREE, Audience.MANAGER],
        "what": [
            "系統情報イントラネットは、送電線などの事故状況や瞬時電圧低下、現在の系統の状態を"
            "ネットワーク会社の利用者に配信するシステムです。",
            "ネットワーク会社在籍時のID・パスワードが異動後も変わっていなかったため、14名が事故速報や"
            "潮流図などを閲覧していました。このうち5名は、記録統計システムも閲覧していました。",
            "ネットワーク会社へ照会すべきところを早さを優先した、興味本位で見た、といった理由が挙げられています。"
            "（期間欄は、事案が判明し調査した時期を示しています。）",
        ],
        "rules": [
            ("transfers", "異動前のIDを使ったログインは、IDが有効かどうかにかかわらず認められません。"),
            ("confidential", "系統の運用情報はネットワーク会社が中立に扱うべき情報で、小売側は閲覧できません。"),
        ],
        "causes": [
            (OPP, "異動後も、ネットワーク会社在籍時のID・パスワードが変更されず有効なままだった"),
            (OPP, "異動時に、使えなくなるシステムを本人と確認する手順がなかった"),
            (MOT, "ネットワーク会社に照会するより、早く系統の状況を知りたかった"),
            (MOT, "前の職場の情報への興味から、つい見てしまった"),
            (RAT, "以前の仕事で見慣れた情報で、見ても誰にも迷惑はかからないと考えた"),
        ],
        "measures": [
            (
                "異動の時期にID・パスワードを推測できないものへ変更するよう、ネットワーク会社に依頼した",
                DONE,
                dt.date(2023, 4, 28),
            ),
            (
                "異動時に、所属長が異動者と使用できなくなるシステムを確認し、その後も遵守を確かめる手順を設けた",
                DONE,
                dt.date(2023, 5, 1),
            ),
            ("異動者がPCに保存したID・パスワードを削除し、所属長が確認する手順を設けた", DONE, dt.date(2023, 5, 1)),
        ],
        "lessons": [
            (
                Audience.TRANSFEREE,
                "「前は見ていた」情報でも、異動した今は見てはいけない情報です。"
                "必要な情報はネットワーク会社に正規に照会してください。",
            ),
            (
                Audience.MANAGER,
                "異動者の受け入れ時の確認は一度で終わりにせず、しばらくの間、"
                "遵守できているかを続けて確かめてください。",
            ),
            (
                Audience.EXECUTIVE,
                "人の異動が会社の境界を越えるとき、アクセス権も確実に切り替わる仕組みが必要です。"
                "仕組みの整備を各部門任せにしないでください。",
            ),
        ],
        "qa": ["transfers"],
    },
]


def _first_live(model, candidates: list[str]):
    for slug in candidates:
        page = model.objects.live().filter(slug=slug).first()
        if page:
            return page
    return None


def _index(stdout) -> CaseIndexPage | None:
    existing = CaseIndexPage.objects.first()
    if existing:
        return existing
    home = HomePage.objects.first()
    if home is None:
        stdout.write("  casebook: no home page yet; skipped")
        return None
    index_page = CaseIndexPage(
        title="事例集",
        slug="casebook",
        intro=(
            "<p>当社で実際に起きた行為規制違反の事例です。何が起きたのか、なぜ起きたのか（不正のトライアングル）、"
            "何を変えたのかをまとめています。自分の職場に置き換えて読んでください。</p>"
        ),
    )
    home.add_child(instance=index_page)
    index_page.save_revision().publish()
    return index_page


def load(stdout) -> None:
    index_page = _index(stdout)
    if index_page is None:
        return
    created, missing = 0, set()
    existing = set(CaseStudyPage.objects.child_of(index_page).values_list("slug", flat=True))
    for case in CASES:
        if case["slug"] in existing:
            continue
        page = CaseStudyPage(
            title=case["title"],
            slug=case["slug"],
            summary=case["summary"],
            period_start=case["period"][0],
            period_end=case["period"][1],
            units_involved=case["units"],
            people_involved=case["people"],
            records_viewed=case["records"],
            what_happened="".join(f"<p>{p}</p>" for p in case["what"]),
        )
        page.departments = [CaseDepartment(department=d) for d in case["departments"]]
        page.causes = [CauseItem(element=e, text=t) for e, t in case["causes"]]
        page.countermeasures = [Countermeasure(text=t, status=s, date=d) for t, s, d in case["measures"]]
        page.lessons = [Lesson(audience=a, text=t) for a, t in case["lessons"]]
        links = []
        for concept, explanation in case["rules"]:
            rule = _first_live(RulePage, RULE_SLUGS[concept])
            if rule is None:
                missing.add(f"rule:{concept}")
                continue
            if all(link.rule_id != rule.pk for link in links):
                links.append(CaseRuleLink(rule=rule, explanation=explanation))
        page.rule_links = links
        qa_pages = []
        for concept in case["qa"]:
            qa = _first_live(QAPage, QA_SLUGS[concept])
            if qa is None:
                missing.add(f"qa:{concept}")
            elif qa.pk not in {p.pk for p in qa_pages}:
                qa_pages.append(qa)
        page.related_qa = [("page", qa) for qa in qa_pages]
        index_page.add_child(instance=page)
        page.save_revision().publish()
        # Index now that the child rows exist (the save signal fires before they are written).
        index.insert_or_update_object(CaseStudyPage.objects.get(pk=page.pk))
        created += 1
    stdout.write(f"  casebook: {created} cases created, {len(CASES) - created} already there")
    if missing:
        stdout.write(f"  casebook: no demo page found for {', '.join(sorted(missing))}; those links were left out")
