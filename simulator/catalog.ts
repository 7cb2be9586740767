// What shops sell: a small SKU catalogue per category with typical prices (fen). Resellable goods
// (liquor, gold, prepaid cards) are what hoarders buy in bulk on coupon orders.
import type { Category } from '../core/events.ts';

export interface CatalogItem {
  code: string;
  name: string;
  priceFen: number;
  resellable?: boolean;
}

const I = (code: string, name: string, yuan: number, resellable = false): CatalogItem => ({ code, name, priceFen: Math.round(yuan * 100), resellable });

export const CATALOG: Record<Category, readonly CatalogItem[]> = {
  dining: [
    I('noodle', '板浦凉粉', 12), I('dumpling', '水饺', 18), I('fish', '红烧鲈鱼', 68), I('shrimp', '椒盐对虾', 88), I('tofu', '麻婆豆腐', 22),
    I('rice', '扬州炒饭', 16), I('soup', '紫菜蛋汤', 12), I('crab', '梭子蟹', 128), I('veg', '清炒时蔬', 18), I('pork', '红烧肉', 48),
    I('beer', '啤酒', 8), I('tea', '茶位', 5), I('hotpot', '海鲜火锅套餐', 158), I('bbq', '烧烤拼盘', 58),
  ],
  retail: [
    I('shoes', '运动鞋', 399), I('shirt', '衬衫', 159), I('earbud', '蓝牙耳机', 199), I('charger', '充电器', 59), I('book', '图书', 45),
    I('toy', '玩具', 89), I('cosmetic', '护肤套装', 268), I('tea_gift', '云雾茶礼盒', 188),
    I('liquor_tanggou', '汤沟特曲 500ml', 128, true), I('liquor_haizhilan', '洋河海之蓝 520ml', 158, true),
    I('prepaid_200', '购物卡 200元', 200, true),
  ],
  supermarket: [
    I('rice_5kg', '大米 5kg', 39), I('oil_5l', '花生油 5L', 99), I('milk', '牛奶 整箱', 59), I('eggs', '鸡蛋 30枚', 28), I('fruit', '水果', 25),
    I('seaweed', '紫菜礼盒', 48), I('snack', '零食', 15), I('detergent', '洗衣液', 35), I('tissue', '纸巾', 29), I('meat', '猪肉 1kg', 32),
    I('liquor_haizhilan', '洋河海之蓝 520ml', 158, true), I('liquor_moutai', '飞天茅台 53度 500ml', 2499, true), I('prepaid_500', '购物卡 500元', 500, true),
  ],
  mall: [
    I('coat', '外套', 699), I('dress', '连衣裙', 459), I('bag', '手提包', 899), I('watch', '手表', 1299), I('sneaker', '品牌球鞋', 799),
    I('perfume', '香水', 560), I('kids', '童装', 199), I('prepaid_1000', '商场储值卡 1000元', 1000, true), I('gold_5g', '金条 5g', 3500, true),
  ],
  department_store: [
    I('tv', '电视机', 2999), I('rice_cooker', '电饭煲', 399), I('kettle', '电水壶', 129), I('bedding', '四件套', 499), I('cookware', '炒锅', 259),
    I('vacuum', '吸尘器', 899), I('jewel', '银饰', 380), I('gold_10g', '足金金条 10g', 6900, true), I('liquor_moutai', '飞天茅台 53度 500ml', 2499, true),
    I('prepaid_1000', '购物卡 1000元', 1000, true),
  ],
  lodging: [
    I('room_std', '标准间/晚', 238), I('room_king', '大床房/晚', 268), I('room_sea', '海景房/晚', 458), I('breakfast', '早餐', 38), I('family', '家庭房/晚', 368),
  ],
  entertainment: [
    I('cinema', '电影票', 45), I('ktv', 'KTV 包厢 3 小时', 168), I('park', '花果山门票', 100), I('bath', '洗浴', 88), I('game', '游戏币 套餐', 100),
    I('show', '演出票', 180), I('popcorn', '爆米花套餐', 35),
  ],
};

export function resellableItems(category: Category): CatalogItem[] {
  return CATALOG[category].filter((i) => i.resellable);
}
